#!/usr/bin/python3
"""Writes the checkpoint fixtures the unit tests read: test/fixtures/checkpoints/.

Needs PyTorch (Debian: `apt-get install python3-torch`; run with /usr/bin/python3, the system
python that package installs into). The tests themselves never need Python: they read the files
this script leaves behind.

  pytorch/pytorch_model.bin            torch.save (zip format) of a state dict: fp32, fp16, bf16,
                                       fp64, int64 (incl. values past 2**53), int32, int8, uint8,
                                       bool, a scalar, an empty tensor, an nn.Parameter, a tied
                                       (shared-storage) pair and views of that storage (transposed,
                                       row slice with a storage offset, strided column)
  safetensors/model.safetensors        the same tensors (made contiguous), safetensors written by
                                       hand below (struct + json), tensors in plain key order
  sharded/model.safetensors.index.json + two shards
  pytorch-sharded/pytorch_model.bin.index.json + two torch.save shards
  expected.json                        {name: {dtype, shape, values}} (values flattened; floats as
                                       numbers, or "inf"/"-inf"/"nan"; int64 as decimal strings)
  malicious/pytorch_model.bin          a zip whose data.pkl calls os.system: must be refused
  legacy/pytorch_model.bin             the pre-1.6 non-zip format: must be a clear error (its storage
                                       key is an object id, so this one file differs between runs)
"""
import collections
import json
import math
import os
import shutil
import struct
import zipfile

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'checkpoints')

ST_DTYPE = {
    torch.float64: 'F64',
    torch.float32: 'F32',
    torch.float16: 'F16',
    torch.bfloat16: 'BF16',
    torch.int64: 'I64',
    torch.int32: 'I32',
    torch.int8: 'I8',
    torch.uint8: 'U8',
    torch.bool: 'BOOL',
}

# The dtype our reader returns by default (no float32 upcast requested).
HOST_DTYPE = {
    torch.float64: 'float64',
    torch.float32: 'float32',
    torch.float16: 'float16',
    torch.bfloat16: 'float32',
    torch.int64: 'int64',
    torch.int32: 'int32',
    torch.int8: 'int8',
    torch.uint8: 'uint8',
    torch.bool: 'bool',
}


def state_dict():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4))
    sd = model.state_dict()  # an OrderedDict with a _metadata attribute (pickled through BUILD)
    base = torch.randn(4, 3)
    sd['emb.weight'] = base
    sd['lm_head.weight'] = base  # tied: the very same tensor
    sd['transposed'] = base.t()  # a non-contiguous view of the same storage
    sd['row_slice'] = base[1:3]  # storage offset 3
    sd['column'] = base[:, 1]  # storage offset 1, stride 3
    sd['half'] = torch.randn(2, 5).half()
    sd['half_special'] = torch.tensor(
        [0.0, -0.0, 1.0, 65504.0, 6e-8, 3e-5, float('inf'), float('-inf'), float('nan')]
    ).half()
    sd['bf16'] = torch.randn(3, 2).bfloat16()
    sd['position_ids'] = torch.arange(6).unsqueeze(0)
    sd['big_int'] = torch.tensor([2**60, -(2**62), 7, -1])
    sd['double'] = torch.randn(3, dtype=torch.float64)
    sd['int32'] = torch.tensor([1, -2, 2**31 - 1], dtype=torch.int32)
    sd['int8'] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    sd['uint8'] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    sd['mask'] = torch.tensor([True, False, True])
    sd['scalar'] = torch.tensor(3.5)
    sd['empty'] = torch.zeros(0, 3)
    sd['param'] = nn.Parameter(torch.randn(2))
    return sd


def values(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32, torch.int8, torch.uint8):
        if t.dtype == torch.int64:
            return [str(v) for v in t.flatten().tolist()]
        return t.flatten().tolist()
    if t.dtype == torch.bool:
        return [1 if v else 0 for v in t.flatten().tolist()]
    flat = t.double().flatten().tolist() if t.dtype == torch.float64 else t.float().flatten().tolist()
    out = []
    for v in flat:
        if math.isnan(v):
            out.append('nan')
        elif math.isinf(v):
            out.append('inf' if v > 0 else '-inf')
        else:
            out.append(v)
    return out


def raw_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """The safetensors format by hand: u64 LE header length, JSON header padded with spaces to 8."""
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    chunks = []
    offset = 0
    for name in sorted(tensors):  # plain key order (older writers); the reader must not care
        t = tensors[name]
        data = raw_bytes(t)
        header[name] = {'dtype': ST_DTYPE[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def fresh(*parts):
    path = os.path.join(OUT, *parts)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = state_dict()

    torch.save(sd, os.path.join(fresh('pytorch'), 'pytorch_model.bin'))

    plain = collections.OrderedDict((k, v.detach()) for k, v in sd.items())
    write_safetensors(os.path.join(fresh('safetensors'), 'model.safetensors'), plain, {'format': 'pt'})

    names = list(plain)
    halves = [names[: len(names) // 2], names[len(names) // 2 :]]

    d = fresh('sharded')
    weight_map = {}
    total = 0
    for i, part in enumerate(halves):
        shard = f'model-{i + 1:05d}-of-00002.safetensors'
        write_safetensors(os.path.join(d, shard), {k: plain[k] for k in part}, {'format': 'pt'})
        for k in part:
            weight_map[k] = shard
            total += len(raw_bytes(plain[k]))
    with open(os.path.join(d, 'model.safetensors.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)

    d = fresh('pytorch-sharded')
    weight_map = {}
    for i, part in enumerate(halves):
        shard = f'pytorch_model-{i + 1:05d}-of-00002.bin'
        torch.save(collections.OrderedDict((k, sd[k]) for k in part), os.path.join(d, shard))
        for k in part:
            weight_map[k] = shard
    with open(os.path.join(d, 'pytorch_model.bin.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)

    expected = collections.OrderedDict(
        (k, {'dtype': HOST_DTYPE[v.dtype], 'shape': list(v.shape), 'values': values(v)}) for k, v in sd.items()
    )
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')

    # A pickle that calls os.system('echo pwned') when unpickled by Python: GLOBAL os.system, REDUCE.
    evil = b'\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03.'
    with zipfile.ZipFile(os.path.join(fresh('malicious'), 'pytorch_model.bin'), 'w', zipfile.ZIP_STORED) as z:
        for name, data in (('archive/data.pkl', evil), ('archive/byteorder', b'little'), ('archive/version', b'3\n')):
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)  # fixed date: same bytes every run

    torch.save(
        {'w': torch.ones(2)},
        os.path.join(fresh('legacy'), 'pytorch_model.bin'),
        _use_new_zipfile_serialization=False,
    )

    total_size = 0
    for root, _, files in os.walk(OUT):
        for name in files:
            total_size += os.path.getsize(os.path.join(root, name))
    print(f'wrote {OUT} ({total_size} bytes)')


if __name__ == '__main__':
    main()
