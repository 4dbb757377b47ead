// UBoostHardware
