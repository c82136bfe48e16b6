"""revintel.forecast."""

#: Past quarters the backtest replays by default (as many as a few years of history allow).
BACKTEST_PERIODS = 8
