// UBoostNAS
