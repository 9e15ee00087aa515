#!/usr/bin/python3
"""TensorBoard event-file fixture, and a reader check for the files Finetune writes.

Needs torch (Debian's python3-torch) and the `tensorboard` package (not a Debian package: e.g. a
venv made with `/usr/bin/python3 -m venv --system-site-packages` and `pip install tensorboard`).
The tests never need Python: they read the files this script leaves behind.

  make_tensorboard_fixture.py
      writes test/fixtures/tensorboard/: `summary_writer.tfevents`, an event file written by
      torch.utils.tensorboard.SummaryWriter (the writer transformers' TensorBoardCallback uses),
      and `calls.json`, the add_scalar / add_text calls that made it (tag, value, step, wall time).
      The unit test replays the calls through TensorBoardWriter and compares the records byte for byte.

  make_tensorboard_fixture.py --check LOGDIR
      reads LOGDIR with TensorBoard's own EventAccumulator and prints every scalar and text.
"""
import glob
import json
import math
import os
import shutil
import sys
import tempfile

from torch.utils.tensorboard import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'tensorboard')

T0 = 1767225600.25  # 2026-01-01T00:00:00.25Z

CALLS = [
    {'kind': 'text', 'tag': 'args', 'text': '{\n  "learning_rate": 5e-05,\n  "lr_scheduler_type": "linear"\n}', 'step': None},
    {'kind': 'scalar', 'tag': 'train/loss', 'value': 0.6931, 'step': 10},
    {'kind': 'scalar', 'tag': 'train/grad_norm', 'value': 3.1415926535, 'step': 10},
    {'kind': 'scalar', 'tag': 'train/learning_rate', 'value': 4.5e-05, 'step': 10},
    {'kind': 'scalar', 'tag': 'train/epoch', 'value': 0.5, 'step': 10},
    {'kind': 'scalar', 'tag': 'eval/loss', 'value': 0.4123, 'step': 20},
    {'kind': 'scalar', 'tag': 'eval/accuracy', 'value': 0.875, 'step': 20},
    {'kind': 'scalar', 'tag': 'train/epoch', 'value': 1.0, 'step': 20},
    {'kind': 'text', 'tag': 'train/note', 'text': 'h\u00e9llo \u2713 \u4e2d\u6587', 'step': 20},
    {'kind': 'scalar', 'tag': 'train/total_flos', 'value': 1.2345678e15, 'step': 2**40 + 3},
    {'kind': 'scalar', 'tag': 'train/zero', 'value': 0.0, 'step': 0},
    {'kind': 'scalar', 'tag': 'train/inf', 'value': 'inf', 'step': 21},
    {'kind': 'scalar', 'tag': 'train/negative', 'value': -2.5e-3, 'step': 22},
]


def make():
    tmp = tempfile.mkdtemp()
    try:
        w = SummaryWriter(log_dir=tmp)
        for i, c in enumerate(CALLS):
            c['wall_time'] = T0 + i * 0.5
            if c['kind'] == 'text':
                w.add_text(c['tag'], c['text'], global_step=c['step'], walltime=c['wall_time'])
            else:
                v = float(c['value'])
                w.add_scalar(c['tag'], v, global_step=c['step'], walltime=c['wall_time'])
        w.close()
        (src,) = glob.glob(os.path.join(tmp, 'events.out.tfevents.*'))
        os.makedirs(OUT, exist_ok=True)
        shutil.copyfile(src, os.path.join(OUT, 'summary_writer.tfevents'))
        with open(os.path.join(OUT, 'calls.json'), 'w') as f:
            json.dump({'writer': 'torch.utils.tensorboard.SummaryWriter', 'calls': CALLS}, f, indent=1, ensure_ascii=False)
            f.write('\n')
        print('wrote', OUT, os.path.getsize(src), 'bytes')
    finally:
        shutil.rmtree(tmp)


def check(logdir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(logdir, size_guidance={'scalars': 0, 'tensors': 0})
    acc.Reload()
    tags = acc.Tags()
    for tag in sorted(tags['scalars']):
        print('scalar', tag, [(e.step, e.value) for e in acc.Scalars(tag)])
    for tag in sorted(tags['tensors']):
        print('text', tag, [(e.step, e.tensor_proto.string_val[0].decode()) for e in acc.Tensors(tag)])


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        check(sys.argv[2])
    else:
        make()
