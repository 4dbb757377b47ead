// UBoostTensor
