// Generated from stdlib/lessons/*.uboost by scripts/generate (LessonEmbedding).
// Do not edit.

// MARK: - Embedded lessons

enum EmbeddedLessons {
  /// Lesson name (file name without `.uboost`) and the file's text.
  static let files: [(name: String, source: String)] = [
    ("smooth-ceil", ##"""
# The smooth ceiling
# Why a hardware-aware search needs a differentiable `ceil`, what the reference code
# uses instead, where that goes wrong, and what a search sees with a corrected form.
#
# Each step explains one idea, shows a small uboost program and runs it in your session:
# every binding it makes (`hw`, `util`, `soft_util`, `loss`, ...) stays defined, so you can
# change a number and run the line again yourself.

#%% Tiles on a 128x128 array
# A systolic array of 128 x 128 multiply-accumulate units runs a layer as a matrix product:
# the reduction (`k*k*cin` rows) and the output channels (`cout` columns) are cut into
# 128 x 128 tiles, and each tile takes the array for one pass. The number of passes is
# `ceil(rows / 128) * ceil(cols / 128)`: a layer with 129 output channels needs two column
# tiles, the second one holding a single column.
#
# Utilization is the useful work divided by what the tiles occupy.
let hw = systolic(rows: 128, cols: 128, batch: 64, clock: 1e9)
fn tiles(rows, cols) = ceil(rows / 128) * ceil(cols / 128)
for cout in [64, 128, 129, 200, 256, 257] {
  let t = tiles(128, cout)
  print("cout \(cout): \(t) tile(s), utilization \(fixed(cout / (128 * t), 3))")
}
hw.cost(conv(k: 1, cin: 128, cout: 129, out: [8, 8]), exact: true)

#%% The utilization cliff
# Take a layer whose reduction is exactly 128 rows (a 1x1 convolution with 128 input
# channels) and sweep its output channels from 4 to 512. Utilization climbs linearly to 1 at
# 128, then falls off a cliff to about 0.5 at 129: the extra channel costs a whole tile.
# The same happens after 256 (down to 2/3) and 384 (down to 3/4).
fn util(c) = hw.cost(conv(k: 1, cin: 128, cout: c, out: [8, 8]), exact: true).util
plot(util, from: 4, to: 512, points: 509, title: "utilization, 1x1 conv with 128 input channels",
     xlabel: "output channels", ylabel: "utilization")
print("util(128) =", util(128), " util(129) =", fixed(util(129), 3), " util(257) =", fixed(util(257), 3))

#%% Why ceil gives no gradient
# A gradient-based search changes a soft channel count `c` a little and asks how the cost
# moves. `ceil` is flat between integers, so its derivative is 0 almost everywhere (and
# undefined at the jumps): the search cannot see a cliff coming.
#
# Worse, utilization still has a gradient, from the useful work `cout` in its numerator,
# and it always says "add channels", even at 129 where removing one would double it.
print("d ceil/dx at 0.5, 1.05, 2.9:", grad(ceil, 0.5), grad(ceil, 1.05), grad(ceil, 2.9))
print("d util/dc at 120:", grad(util, 120), " at 129:", grad(util, 129), " at 200:", grad(util, 200))

#%% A sum of sigmoids and its temperature
# The paper replaces `ceil(x)` by a staircase of sigmoids, one step per integer:
# `f(x) = sum_i 1 / (1 + exp(-T (x - i)))`. The temperature `T` sets how sharp the steps
# are: at T = 4 the staircase is a gentle ramp, at T = 32 it is close to `ceil`, and as
# T grows f approaches `ceil`. A sharper step is more faithful but its gradient lives in a
# narrower window around each integer (the slope at the centre of a step is T/4, and it
# fades within a few 1/T of it).
#
# Note where the steps sit: centred on the integers, so f(1) = 1.5 for every T, half a tile
# more than `ceil(1) = 1`.
fn sigmoid_T4(x) = smooth_ceil(x, temp: 4)
fn sigmoid_T32(x) = smooth_ceil(x, temp: 32)
plot([ceil, sigmoid_T4, sigmoid_T32], from: 0, to: 3, points: 301,
     title: "sum of sigmoids against ceil", xlabel: "x", ylabel: "f(x)")
for T in [4, 32, 256] {
  print("T = \(T): f(0.5) = \(fixed(smooth_ceil(0.5, temp: T), 3)), f(1) = \(fixed(smooth_ceil(1, temp: T), 3)), f'(1) = \(fixed(grad(fn(x) => smooth_ceil(x, temp: T), 1), 2))")
}

#%% The reference code's form
# The reference code uses a generalized logistic per step instead:
# `sum_i 0.04 / (0.2 + exp(-20 clamp(x - i, -2, 2)))^2`. Its steps are centred at
# i + 0.1245, not at i. So just above an integer it has hardly risen:
# f(129/128) = 1.036 where `ceil` gives 2, and a small layer is under-charged:
# f(9/128) = 0.20 where `ceil` gives 1. At the integers themselves it over-charges a
# little: f(1) = 1.028.
#
# A 3x3 depthwise convolution on a 128-row array fills 9 of 128 rows; priced with the
# reference form its latency comes out about 5x too small.
plot([ceil, smooth_ceil], from: 0, to: 3, points: 301, title: "reference form against ceil",
     xlabel: "x", ylabel: "f(x)")
for x in [9 / 128, 1, 129 / 128, 1.125] {
  print("x = \(fixed(x, 4)): reference \(fixed(smooth_ceil(x), 3)), ceil \(ceil(x))")
}
let dw = depthwise(k: 3, channels: 64, out: [16, 16])
let ref_ms = systolic(ceiling: "reference").cost(dw).latency_ms
let exact_ms = hw.cost(dw, exact: true).latency_ms
print("3x3 depthwise: reference \(fixed(ref_ms, 3)) ms, exact \(fixed(exact_ms, 3)) ms, ratio \(fixed(ref_ms / exact_ms, 2))")

#%% A corrected form
# uboost's default ceiling (`form: "corrected"`) keeps the sigmoid steps and fixes what the
# reference gets wrong. The first step is exact: anything in (0, 1] costs one tile, so
# small layers pay in full. Step i >= 1 sits at i + 4/T, just past the integer, so
# f(k) = k + 0.018 at a multiple of the array size (the paper's form charged k + 0.5), and
# there is no upper bound (the reference saturates at 300).
#
# At T = 32 the later steps sit about where the reference's do (i + 0.125): 129 channels
# still cost about one tile. No smooth function can jump between 128/128 and 129/128; the
# temperature decides how soon after the integer the step is taken: f(129/128) is 1.02 at
# T = 32, 1.5 at T = 512 and 2 at T = 2048. A search needs a gradient it can follow, so the
# default is moderate; the next step shows what a search sees with it.
fn reference(x) = smooth_ceil(x)
fn corrected_T32(x) = smooth_ceil(x, form: "corrected", temp: 32)
fn corrected_T512(x) = smooth_ceil(x, form: "corrected", temp: 512)
plot([ceil, reference, corrected_T32, corrected_T512], from: 0, to: 2.5, points: 501,
     title: "corrected form against the reference and ceil", xlabel: "x", ylabel: "f(x)")
for T in [32, 512, 2048] {
  print("T = \(T): f(9/128) = \(fixed(smooth_ceil(9 / 128, form: "corrected", temp: T), 3)), f(1) = \(fixed(smooth_ceil(1, form: "corrected", temp: T), 3)), f(129/128) = \(fixed(smooth_ceil(129 / 128, form: "corrected", temp: T), 3))")
}
print("3x3 depthwise with the corrected form: \(fixed(hw.cost(dw).latency_ms, 3)) ms")

#%% The gradient a search sees
# `hw` prices layers with the corrected ceiling (T = 32) unless asked for `exact: true`.
# Its utilization is now a smooth curve with a steep drop after each multiple of 128, and
# its gradient tells the search which way to move: down towards 128 just past it, up
# towards 256 further on.
fn soft_util(c) = hw.cost(conv(k: 1, cin: 128, cout: c, out: [8, 8])).util
fn soft_grad(c) = grad(soft_util, c)
plot([util, soft_util], from: 64, to: 320, points: 257, title: "exact and smooth utilization",
     xlabel: "output channels", ylabel: "utilization")
plot(soft_grad, from: 64, to: 320, points: 257, title: "d utilization / d channels (smooth)",
     xlabel: "output channels", ylabel: "gradient")
for c in [120, 136, 144, 200, 250] {
  print("c = \(c): smooth util \(fixed(soft_util(c), 3)), gradient \(fixed(soft_grad(c), 4))")
}

#%% A tiny channel search
# Now let gradient descent choose the channel count. The loss rewards utilization and
# charges a small price per channel: `loss(c) = -soft_util(c) + 0.003 c`. Starting from a
# few counts, 40 steps of `c -= 1000 * d loss / d c` move each start to a multiple of 128:
# 150 falls back to 128 (after overshooting once), 240 climbs to 256, and 280, just past
# 256, falls back to it. They stop a little short of the multiple, where the smooth curve
# bends, and the channel grid of the search space (multiples of 8) rounds them onto it.
#
# With the exact ceiling (`exact_from_150`) the same loop only sees the per-channel price
# and the linear growth of utilization: it drifts upwards and never finds the cliff.
#
# Try it yourself: the functions read `hw` when they run, so after
# `let hw = systolic(temp: 128)` the call `last(descend(loss, 150))` uses a sharper ceiling.
# It ends near 183: 150 is now too far from the cliff to feel it, the trade-off of step 6.
fn loss(c) = -soft_util(c) + 0.003 * c
fn exact_loss(c) = -util(c) + 0.003 * c
fn descend(f, c0, steps: 40, lr: 1000) {
  var c = c0
  var path = [c]
  for i in 0..<steps {
    c -= lr * grad(f, c)
    append(path, c)
  }
  path
}
plot({smooth_from_150: descend(loss, 150), smooth_from_240: descend(loss, 240),
      exact_from_150: descend(exact_loss, 150)},
     title: "channel count during the search", xlabel: "step", ylabel: "channels")
for c0 in [100, 150, 240, 280] {
  let found = last(descend(loss, c0))
  let on_grid = 8 * round(found / 8)
  print("start \(c0) -> \(fixed(found, 1)) channels, on the grid of 8: \(on_grid), exact utilization \(fixed(util(on_grid), 3))")
}
print("with the exact ceiling, start 150 ->", fixed(last(descend(exact_loss, 150)), 1))

"""##),
  ]
}
