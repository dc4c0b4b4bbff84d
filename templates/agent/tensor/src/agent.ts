import { AgentError, defineAgent, type AgentContext, type Message, type Model, type Tensor } from 'mielin/agent'
import { W1, B1, W2, B2 } from './weights'
// The bytes of the same network as an ONNX model, bundled into the component at build time.
import modelBytes from './tiny-mlp.onnx'

/**
 * Classifies rows of 4 numbers into 3 classes with a tiny MLP,
 * y = softmax(relu(x·W1 + b1)·W2 + b2), computed on the node's tensor engine:
 * - `{"x": [[1, 2, 3, 4]]}` runs the layers one op at a time (matmul, add, relu, softmax);
 * - `{"x": [[1, 2, 3, 4]], "engine": "onnx"}` runs src/tiny-mlp.onnx, which has the same weights.
 * The reply holds each row's probabilities and most likely class.
 */
interface Input { x?: number[] | number[][], engine?: 'ops' | 'onnx' }
interface Weights { w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor }

// Host handles, made on first use and kept: module top-level code runs at build time, when
// there is no host yet.
let weights: Weights | undefined
let model: Model | undefined

/** The network as ops on the weights. */
function opsNet (ctx: AgentContext<unknown>): (x: Tensor) => Tensor {
  weights ??= {
    w1: ctx.tensor.fromArray(W1, [4, 8]),
    b1: ctx.tensor.fromArray(B1, [1, 8]),
    w2: ctx.tensor.fromArray(W2, [8, 3]),
    b2: ctx.tensor.fromArray(B2, [1, 3])
  }
  const { w1, b1, w2, b2 } = weights
  return (x) => x.matmul(w1).add(b1).relu().matmul(w2).add(b2).softmax()
}

/** The network as the ONNX model. */
function onnxNet (ctx: AgentContext<unknown>): (x: Tensor) => Tensor {
  const m = model ??= ctx.tensor.loadModel(modelBytes)
  return (x) => {
    const { y } = m.run({ x })
    if (y === undefined) throw new AgentError('E_MODEL_OUTPUT', 'the model has no output "y"')
    return y
  }
}

function rowsOf (x: Input['x']): number[][] {
  const rows = Array.isArray(x) && x.every((v) => typeof v === 'number') ? [x as number[]] : x
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === 4 && r.every((v) => typeof v === 'number'))) {
    throw new AgentError('E_BAD_INPUT', 'send {"x": [[a, b, c, d], …]}: rows of 4 numbers')
  }
  return rows as number[][]
}

export default defineAgent({
  initialState: () => ({ classified: 0 }),

  onMessage (msg: Message<Input>, ctx) {
    const rows = rowsOf(msg.payload?.x)
    const engine = msg.payload?.engine === 'onnx' ? 'onnx' : 'ops'
    const net = engine === 'onnx' ? onnxNet(ctx) : opsNet(ctx)
    // tidy frees the tensors made inside: the input, the intermediate results, the output.
    const y = ctx.tensor.tidy(() => net(ctx.tensor.fromArray(rows, [rows.length, 4])).read())
    const probs = rows.map((_, i) => y.data.slice(i * 3, i * 3 + 3).map((p) => Math.round(p * 1e4) / 1e4))
    const classes = probs.map((p) => p.indexOf(Math.max(...p)))
    ctx.state.classified += rows.length
    return { engine, shape: y.shape, classes, probs, classified: ctx.state.classified }
  }
})
