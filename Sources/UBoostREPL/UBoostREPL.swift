// UBoostREPL
