// swift-tools-version:6.0
//
// uboost: a Swift workbench for hardware-aware NAS (U-Boost NAS) with its own scripting language.
//
// Layers (each depends only on those above it):
//   CBLAS, CZlib, CEditLine          system libraries (OpenBLAS, zlib, libedit)
//   UBoostInterrupt                  the one Ctrl-C token (an atomic flag) engine and language poll
//   UBoostTensor                     tensors, reverse-mode autodiff, NN kernels, optimizers
//   UBoostHardware                   smooth ceilings, cost models, cycle-level systolic simulator
//   UBoostNAS                        supernets, search, channel search, derive, training, data
//   UBoostPlot                       terminal and SVG charts (knows nothing of tensors)
//   UBoostLang                       the language core: lexer, parser, interpreter (no tensors)
//   UBoostBuiltins                   binds Tensor / Hardware / NAS / Plot into the language
//   UBoostBench                      the kernel and search-step benchmarks (`uboost bench kernels/search`), outside what they measure
//   UBoostScriptTesting              the golden-script runner the test targets share (not shipped)
//   UBoostREPL                       line editor, REPL, notebooks, lessons
//   uboost                           the command-line tool (swift-argument-parser)
//
// Built and tested on Linux only (OpenBLAS, zlib and libedit from the distribution), so the
// manifest names no `platforms:`.
import PackageDescription

// Release builds compile for the machine they run on: the default x86-64 target has no AVX.
let native: [SwiftSetting] = [
  .unsafeFlags(["-Xcc", "-march=native"]),
  .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
]

let package = Package(
  name: "uboost",
  products: [
    .executable(name: "uboost", targets: ["uboost"]),
    .library(name: "UBoostTensor", targets: ["UBoostTensor"]),
    .library(name: "UBoostHardware", targets: ["UBoostHardware"]),
    .library(name: "UBoostNAS", targets: ["UBoostNAS"]),
    .library(name: "UBoostLang", targets: ["UBoostLang"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),

    .target(name: "UBoostInterrupt", swiftSettings: native),
    .target(name: "UBoostTensor", dependencies: ["CBLAS", "UBoostInterrupt"], swiftSettings: native),
    .target(name: "UBoostHardware", swiftSettings: native),
    .target(name: "UBoostNAS", dependencies: ["UBoostTensor", "UBoostHardware", "CZlib"],
            swiftSettings: native),
    .target(name: "UBoostPlot", swiftSettings: native),
    // Interpreter hot paths touch class state constantly; dynamic exclusivity checks cost ~10%.
    .target(name: "UBoostLang", dependencies: ["UBoostInterrupt"], swiftSettings: native + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
    .target(name: "UBoostBuiltins",
            dependencies: ["UBoostInterrupt", "UBoostLang", "UBoostTensor", "UBoostHardware", "UBoostNAS", "UBoostPlot"],
            swiftSettings: native),
    .target(name: "UBoostBench", dependencies: ["UBoostNAS", "UBoostTensor"], swiftSettings: native),
    .target(name: "UBoostScriptTesting", dependencies: ["UBoostLang"]),
    .target(name: "UBoostREPL", dependencies: ["UBoostLang", "CEditLine"],
            swiftSettings: native),
    .executableTarget(
      name: "uboost",
      dependencies: ["UBoostREPL", "UBoostBuiltins", "UBoostLang", "UBoostNAS", "UBoostHardware", "UBoostBench",
                     "UBoostTensor", "UBoostPlot", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: native),

    .testTarget(name: "UBoostTensorTests", dependencies: ["UBoostTensor"]),
    .testTarget(name: "UBoostHardwareTests", dependencies: ["UBoostHardware"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "UBoostNASTests", dependencies: ["UBoostNAS", "UBoostTensor", "UBoostHardware"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "UBoostPlotTests", dependencies: ["UBoostPlot"]),
    .testTarget(name: "UBoostLangTests", dependencies: ["UBoostLang", "UBoostScriptTesting"]),
    .testTarget(name: "UBoostBuiltinsTests",
                dependencies: ["UBoostBuiltins", "UBoostLang", "UBoostTensor", "UBoostHardware", "UBoostNAS",
                               "UBoostScriptTesting"]),
    .testTarget(name: "UBoostREPLTests", dependencies: ["UBoostREPL", "UBoostBuiltins", "UBoostLang"]),
    // Imports nothing: it runs the built `uboost` executable, which the dependency builds first.
    .testTarget(name: "UBoostCLITests", dependencies: ["uboost"]),
  ],
  swiftLanguageModes: [.v5]
)
