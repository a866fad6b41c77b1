#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, to try the build's SLURM profile
# (workflows/profiles/slurm) for real: `scripts/slurm-local.sh start`, then
#   snakemake --profile workflows/profiles/slurm --config scale=quick \
#     --slurm-status-command squeue --default-resources slurm_partition=test ...
# and `scripts/slurm-local.sh stop`. Needs root and Debian's packages (slurm-wlm 22.05,
# munge; installed on first use). No systemd: munged, slurmctld and slurmd run directly,
# configured for loopback with this machine's cores and memory, partition `test`.
# Accounting is off (no database); finished jobs are logged by jobcomp/filetxt to
# $SLURM_LOCAL/jobcomp.log, which `sacct --completion` reads.
set -euo pipefail
SLURM_LOCAL=${SLURM_LOCAL:-/var/lib/slurm-local}
CONF=/etc/slurm/slurm.conf

install() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurmctld slurmd slurm-client munge >/dev/null
  fi
}

configure() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  mkdir -p /etc/slurm "$SLURM_LOCAL"/{spool,state,log} /run/munge /var/log/munge
  cat > "$CONF" <<CONF
ClusterName=local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SlurmctldPidFile=$SLURM_LOCAL/slurmctld.pid
SlurmdPidFile=$SLURM_LOCAL/slurmd.pid
SlurmdSpoolDir=$SLURM_LOCAL/spool
StateSaveLocation=$SLURM_LOCAL/state
SlurmctldLogFile=$SLURM_LOCAL/log/slurmctld.log
SlurmdLogFile=$SLURM_LOCAL/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_LOCAL/jobcomp.log
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
}

start() {
  install
  configure
  pgrep -x munged >/dev/null || runuser -u munge -- munged --force
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 1 30); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      sinfo
      return 0
    fi
    sleep 1
  done
  echo "slurm did not come up; logs in $SLURM_LOCAL/log" >&2
  tail -n 20 "$SLURM_LOCAL"/log/*.log >&2 || true
  return 1
}

stop() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
  for _ in $(seq 1 20); do
    if ! pgrep -x slurmd >/dev/null && ! pgrep -x slurmctld >/dev/null \
      && ! pgrep -x munged >/dev/null; then
      return 0
    fi
    sleep 0.5
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo && squeue ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
