/**
 * Raspberry Pi board names from the `Revision` code in /proc/cpuinfo. New-style codes (bit 23
 * set) pack the board type in bits 4-11 and the memory size in bits 20-22; see
 * https://www.raspberrypi.com/documentation/computers/raspberry-pi.html#raspberry-pi-revision-codes
 */
const TYPES: Record<number, string> = {
  0x00: 'Model A',
  0x01: 'Model B',
  0x02: 'Model A+',
  0x03: 'Model B+',
  0x04: '2 Model B',
  0x06: 'Compute Module 1',
  0x08: '3 Model B',
  0x09: 'Zero',
  0x0a: 'Compute Module 3',
  0x0c: 'Zero W',
  0x0d: '3 Model B+',
  0x0e: '3 Model A+',
  0x10: 'Compute Module 3+',
  0x11: '4 Model B',
  0x12: 'Zero 2 W',
  0x13: '400',
  0x14: 'Compute Module 4',
  0x15: 'Compute Module 4S',
  0x17: '5',
  0x18: 'Compute Module 5',
  0x19: '500',
  0x1a: 'Compute Module 5 Lite'
}

/** The SoCs of Raspberry Pi boards, as cpuinfo `Hardware` names them (BCM2835 on newer kernels for all). */
export const PI_SOC = /^BCM(2708|2709|2710|2711|2712|2835|2836|2837)\b/

/** "a02082" → "Raspberry Pi 3 Model B (1 GB)"; undefined when the code is not a Pi's. */
export function raspberryPiFromRevision (revision: string): string | undefined {
  if (!/^[0-9a-f]{4,8}$/i.test(revision.trim())) return undefined
  const code = Number.parseInt(revision.trim(), 16)
  if ((code & (1 << 23)) === 0) {
    // Old-style codes (0002-0015, optionally with the over-voltage bit 24) are all first-generation boards.
    const old = code & 0xffffff
    return old >= 0x2 && old <= 0x15 ? 'Raspberry Pi 1' : undefined
  }
  const type = TYPES[(code >> 4) & 0xff]
  if (type === undefined) return undefined
  const memMiB = 256 << ((code >> 20) & 0x7)
  const mem = memMiB >= 1024 ? `${memMiB / 1024} GB` : `${memMiB} MB`
  return `Raspberry Pi ${type} (${mem})`
}
