from common.plotting import figure


def plot_trace(results):
    fig, axes = figure()
    axes[0, 0].plot(results["draw"]["x"])
    return fig
