// Files an agent can import; `mielin agent build` bundles them into the component.
declare module '*.onnx' {
  const bytes: Uint8Array
  export default bytes
}
declare module '*.bin' {
  const bytes: Uint8Array
  export default bytes
}
declare module '*.txt' {
  const text: string
  export default text
}
