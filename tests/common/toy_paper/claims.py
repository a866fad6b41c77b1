from common.claims import Claim, at_most

CLAIMS = (
    Claim(
        "mean_small",
        "The sample mean is within 1 of 0.",
        "Sec. 1",
        ("draw",),
        lambda r: at_most(abs(r["draw"]["mean"]), 1.0),
        figure="trace",
    ),
    Claim(
        "mean_tiny",
        "The mean is below 1e-9.",
        "Sec. 2",
        ("draw",),
        lambda r: at_most(abs(r["draw"]["mean"]), 1e-9),
    ),
)
