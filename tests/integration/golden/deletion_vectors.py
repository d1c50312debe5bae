"""Independent decoder of Delta deletion vectors for the test oracle (shares no code with
the TypeScript codec): Z85 text, DV files (version byte, big-endian size, data, CRC-32),
and the RoaringBitmapArray payload — magic 1681511377 + portable 64-bit RoaringBitmap
(or Delta's older native layout, magic 1681511376) — written from PROTOCOL.md and the
RoaringFormatSpec. Returns the set of deleted row indexes of one descriptor."""
import os
import struct
import uuid
import zlib

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
Z85_INDEX = {c: i for i, c in enumerate(Z85)}


def z85_decode(text):
    if len(text) % 5:
        raise ValueError(f"Z85 length {len(text)}")
    out = bytearray()
    for i in range(0, len(text), 5):
        v = 0
        for c in text[i : i + 5]:
            v = v * 85 + Z85_INDEX[c]
        out += v.to_bytes(4, "big")
    return bytes(out)


def roaring32(buf, pos, base, out):
    """Reads one 32-bit RoaringBitmap (portable format) at pos; adds base+value to out; returns the end."""
    (cookie,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    if cookie & 0xFFFF == 12347:
        n = (cookie >> 16) + 1
        run_flags = buf[pos : pos + (n + 7) // 8]
        pos += (n + 7) // 8
    elif cookie == 12346:
        (n,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        run_flags = None
    else:
        raise ValueError(f"bad roaring cookie {cookie}")
    headers = [struct.unpack_from("<HH", buf, pos + 4 * k) for k in range(n)]
    pos += 4 * n
    if run_flags is None or n >= 4:
        pos += 4 * n  # offsets
    for k, (key, card_minus_1) in enumerate(headers):
        high = base + (key << 16)
        if run_flags is not None and run_flags[k >> 3] >> (k & 7) & 1:
            (runs,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            for _ in range(runs):
                start, length = struct.unpack_from("<HH", buf, pos)
                pos += 4
                out.update(range(high + start, high + start + length + 1))
        elif card_minus_1 + 1 <= 4096:
            out.update(high + v for v in struct.unpack_from(f"<{card_minus_1 + 1}H", buf, pos))
            pos += 2 * (card_minus_1 + 1)
        else:
            words = int.from_bytes(buf[pos : pos + 8192], "little")
            pos += 8192
            bit = 0
            while words:
                if words & 1:
                    out.add(high + bit)
                words >>= 1
                bit += 1
    return pos


def decode_bitmap_array(buf):
    rows = set()
    (magic,) = struct.unpack_from("<I", buf, 0)
    if magic == 1681511377:
        (n,) = struct.unpack_from("<Q", buf, 4)
        pos = 12
        for _ in range(n):
            (key,) = struct.unpack_from("<I", buf, pos)
            pos = roaring32(buf, pos + 4, key << 32, rows)
    elif struct.unpack_from(">I", buf, 0)[0] == 1681511376:
        (n,) = struct.unpack_from(">I", buf, 4)
        pos = 8
        for key in range(n):
            (size,) = struct.unpack_from(">I", buf, pos)
            end = roaring32(buf, pos + 4, key << 32, rows)
            assert end == pos + 4 + size
            pos = end
    else:
        raise ValueError(f"bad DV magic {magic}")
    if pos != len(buf):
        raise ValueError("trailing bytes after the DV bitmap")
    return rows


def dv_file_path(table, dv):
    if dv["storageType"] == "p":
        p = dv["pathOrInlineDv"]
        return p[5:] if p.startswith("file:") else p
    text = dv["pathOrInlineDv"]
    prefix, z = text[:-20], text[-20:]
    name = f"deletion_vector_{uuid.UUID(bytes=z85_decode(z))}.bin"
    return os.path.join(table, prefix, name) if prefix else os.path.join(table, name)


def deleted_rows(table, dv):
    """The row indexes a `deletionVector` descriptor invalidates (checked against its cardinality)."""
    if dv["storageType"] == "i":
        data = z85_decode(dv["pathOrInlineDv"])[: dv["sizeInBytes"]]
    else:
        with open(dv_file_path(table, dv), "rb") as fh:
            blob = fh.read()
        assert blob[0] == 1, "DV file version"
        offset = dv.get("offset") or 0
        (size,) = struct.unpack_from(">I", blob, offset)
        assert size == dv["sizeInBytes"], "DV size"
        data = blob[offset + 4 : offset + 4 + size]
        (crc,) = struct.unpack_from(">I", blob, offset + 4 + size)
        assert crc == zlib.crc32(data), "DV checksum"
    rows = decode_bitmap_array(data)
    assert len(rows) == dv["cardinality"], f"DV cardinality {len(rows)} != {dv['cardinality']}"
    return rows
