// UBoostPlot
