/** The ar(1) container of a .deb: `!<arch>\n`, then 60-byte member headers, even-padded. Pure. */

export interface ArMember {
  name: string;
  data: Buffer;
}

export function readAr(buf: Buffer): ArMember[] {
  if (buf.length < 8 || buf.toString('latin1', 0, 8) !== '!<arch>\n') {
    throw new Error('not an ar archive (no !<arch> magic)');
  }
  const members: ArMember[] = [];
  let off = 8;
  while (off < buf.length) {
    if (buf.length - off === 1 && buf[off] === 0x0a) break; // trailing pad
    if (off + 60 > buf.length) throw new Error(`truncated ar header at byte ${off}`);
    const h = buf.toString('latin1', off, off + 60);
    if (h.slice(58, 60) !== '`\n') throw new Error(`bad ar header at byte ${off}`);
    const sizeText = h.slice(48, 58).trim();
    if (!/^\d+$/.test(sizeText)) throw new Error(`bad ar member size at byte ${off}`);
    const size = Number(sizeText);
    off += 60;
    if (off + size > buf.length) throw new Error(`truncated ar member at byte ${off}`);
    let name = h.slice(0, 16).trim();
    let data = buf.subarray(off, off + size);
    if (name.startsWith('#1/')) {
      // BSD long name: its length in the header, the name itself leading the data.
      const n = Number(name.slice(3));
      name = data.toString('latin1', 0, n).replace(/\0+$/, '');
      data = data.subarray(n);
    }
    members.push({ name: name.replace(/\/$/, ''), data });
    off += size + (size & 1);
  }
  return members;
}
