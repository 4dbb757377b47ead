// UBoostBuiltins
