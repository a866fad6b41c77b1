def run_draw(params, ctx):
    x = params["scale"] * ctx.rng("draw").standard_normal(params["n"])
    return {"x": x, "mean": float(x.mean()), "n": params["n"]}
