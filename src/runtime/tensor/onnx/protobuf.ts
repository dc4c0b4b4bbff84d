/**
 * A minimal protobuf wire-format writer: just what is needed to write ONNX ModelProto
 * messages (varints, length-delimited fields, fixed32 floats). Writing the few messages we
 * need by hand avoids a protobuf runtime and a generated onnx.proto binding.
 */

export type Bytes = number[]

/** Encodes an integer as a protobuf varint; negatives as 64-bit two's complement (10 bytes). */
export function varint (value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value))
  const out: Bytes = []
  while (v > 127n) {
    out.push(Number(v & 127n) | 128)
    v >>= 7n
  }
  out.push(Number(v))
  return out
}

const tag = (field: number, wireType: number): Bytes => varint((field << 3) | wireType)

/** A varint field (int32, int64, enum). */
export const intField = (field: number, value: number | bigint): Bytes => [...tag(field, 0), ...varint(value)]

/** A length-delimited field (bytes, nested message). */
export const bytesField = (field: number, bytes: ArrayLike<number>): Bytes =>
  [...tag(field, 2), ...varint(bytes.length), ...Array.from(bytes)]

/** A string field, UTF-8. */
export const stringField = (field: number, value: string): Bytes => bytesField(field, Buffer.from(value, 'utf8'))

/** A fixed32 float field. */
export function floatField (field: number, value: number): Bytes {
  const buf = Buffer.alloc(4)
  buf.writeFloatLE(value)
  return [...tag(field, 5), ...buf]
}
