print("uboost")
