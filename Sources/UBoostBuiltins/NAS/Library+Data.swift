import Foundation
import UBoostLang
import UBoostNAS

// MARK: - The data library

enum DataLibrary {
  static let library = BuiltinLibrary(
    name: "data",
    doc: "Data sets in mini-batches: Fashion-MNIST (Debian package dataset-fashion-mnist), CIFAR-10 (binary batches in dir:) and a synthetic set for quick experiments.",
    entries: [
      BuiltinFunction("dataset", "name: string, split: string = \"train\", limit = nil, batch: int = 64, shuffle = nil, seed: int = 0, dir = nil, size: int = 256, shape = nil, classes: int = 10",
                      "A batched data set: \"fashion-mnist\", \"cifar10\" or \"synthetic\" (size/shape/classes); split: train | valid | test; limit: first n examples.") { a in
        let name = try a.string("name")
        let split = try a.string("split")
        guard ["train", "valid", "test"].contains(split) else {
          throw LangError(.value, "dataset(split:): unknown split '\(split)' (train, valid or test)")
        }
        let batch = try a.int("batch")
        guard batch >= 1, batch <= 65536 else { throw LangError(.value, "dataset(batch:): must be in 1...65536, got \(batch)") }
        let limit = try a.optionalInt("limit")
        if let l = limit, l < 1 { throw LangError(.value, "dataset(limit:): must be >= 1, got \(l)") }
        let seed = UInt64(bitPattern: Int64(try a.int("seed")))
        var shuffle = split == "train"
        if let v = a.optionalValue("shuffle"), !v.isNil { shuffle = try a.bool("shuffle") }
        let ds: Dataset
        let datasets = a.interpreter.engine.datasets
        switch name {
        case "fashion-mnist", "fashion_mnist", "fmnist":
          let dir = try a.optionalString("dir") ?? FashionMNIST.defaultDirectory
          let s = try Engine.run("dataset") { try datasets.fashionMNIST(directory: dir) }
          ds = split == "train" ? s.train : split == "valid" ? s.valid : s.test
        case "cifar10", "cifar-10":
          guard let dir = try a.optionalString("dir") else {
            throw LangError(.argument, "dataset(dir:): CIFAR-10 needs dir: the folder with data_batch_1.bin ... test_batch.bin")
          }
          let s = try Engine.run("dataset") { try datasets.cifar10(directory: dir) }
          ds = split == "train" ? s.train : split == "valid" ? s.valid : s.test
        case "synthetic":
          let size = try a.int("size")
          guard size >= 1, size <= 1_000_000 else { throw LangError(.value, "dataset(size:): must be in 1...1000000, got \(size)") }
          let dims = (a.optionalValue("shape")?.isNil ?? true) ? [1, 8, 8] : try a.intList("shape")
          guard dims.count == 3, dims.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else {
            throw LangError(.value, "dataset(shape:): expected [channels, height, width], got \(try a.value("shape").repr)")
          }
          guard size * dims[0] * dims[1] * dims[2] <= 50_000_000 else {
            throw LangError(.value, "dataset(): a synthetic set of \(size) x \(dims) is too large (at most 50 million values)")
          }
          let classes = try a.int("classes")
          guard classes >= 1, classes <= 10_000 else { throw LangError(.value, "dataset(classes:): must be in 1...10000, got \(classes)") }
          ds = try Engine.run("dataset") {
            try DataCache.synthetic(size: size, shape: InputShape(height: dims[1], width: dims[2], channels: dims[0]),
                                     classes: classes, seed: seed, split: split)
          }
        default:
          throw LangError(.value, "dataset(name:): unknown data set '\(name)' (fashion-mnist, cifar10 or synthetic)")
        }
        return .object(DatasetObject(dataset: ds, batch: batch, shuffle: shuffle, seed: seed, limit: limit))
      },
    ])
}
