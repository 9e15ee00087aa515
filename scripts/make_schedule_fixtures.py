#!/usr/bin/python3
"""Writes test/fixtures/schedules/schedules.json: learning rates from transformers' schedules.

Needs PyTorch (Debian: `apt-get install python3-torch`; run with /usr/bin/python3). transformers is
not needed: the schedule lambdas below are copied from transformers' src/transformers/optimization.py
(Apache-2.0) and `get_warmup_steps` from its training_args.py (transformers 5, float warmup_steps);
torch's own LambdaLR and ReduceLROnPlateau apply them, as the Trainer does (`get_scheduler`, one
`scheduler.step()` per optimizer step; ReduceLROnPlateau stepped with the evaluation metric).

  lambda_cases[]   {name, type, base_lr, warmup, total, kwargs, lrs}: lrs[k] is the learning rate
                   of optimizer step k (LambdaLR.get_last_lr() before step k+1), k = 0 .. total + 2
  plateau_cases[]  {name, base_lr, kwargs, metrics, lrs, states}: after each metric, the optimizer's
                   learning rate and the scheduler's state (best as a number or "inf"/"-inf")
  warmup_cases[]   {total, warmup_steps, expected}: TrainingArguments.get_warmup_steps
The tests never need Python: they read the JSON this script leaves behind.
"""
import json
import math
import os
import warnings
from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR, ReduceLROnPlateau

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'schedules', 'schedules.json')


# ---- from transformers' optimization.py -------------------------------------------------------

def _get_constant_lambda(_=None):
    return 1


def _get_constant_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _get_linear_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int, num_training_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _get_polynomial_decay_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, lr_end: float, power: float, lr_init: int,
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def _get_inverse_sqrt_schedule_lr_lambda(current_step: int, *, num_warmup_steps: int, timescale: int = None):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


# (transformers defines this name twice; the second definition, with min_lr_rate, is the one in force for cosine too)
def _get_cosine_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float, min_lr_rate: float = 0.0
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float,
    min_lr_rate: float = 0.0, warmup_lr_rate: float = None,
):
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)

    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.) / max(1., num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.) / (max(1., num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_wsd_scheduler_lambda(
    current_step: int, *, num_warmup_steps: int, num_stable_steps: int, num_decay_steps: int,
    warmup_type: str, decay_type: str, min_lr_ratio: float, num_cycles: float,
):
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)

    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0

    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


# ---- the get_* functions' argument handling (defaults, min_lr -> min_lr_rate, the WSD split) ----

def make_lambda(name, lr_init, w, t, kw):
    if name == 'constant':
        return _get_constant_lambda
    if name == 'constant_with_warmup':
        return partial(_get_constant_schedule_with_warmup_lr_lambda, num_warmup_steps=w)
    if name == 'linear':
        return partial(_get_linear_schedule_with_warmup_lr_lambda, num_warmup_steps=w, num_training_steps=t)
    if name == 'cosine':
        return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=w, num_training_steps=t,
                       num_cycles=kw.get('num_cycles', 0.5))
    if name == 'cosine_with_restarts':
        return partial(_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda, num_warmup_steps=w,
                       num_training_steps=t, num_cycles=kw.get('num_cycles', 1))
    if name == 'polynomial':
        lr_end = kw.get('lr_end', 1e-7)
        assert lr_init > lr_end
        return partial(_get_polynomial_decay_schedule_with_warmup_lr_lambda, num_warmup_steps=w, num_training_steps=t,
                       lr_end=lr_end, power=kw.get('power', 1.0), lr_init=lr_init)
    if name == 'inverse_sqrt':
        timescale = kw.get('timescale')
        if timescale is None:
            timescale = w or 10_000
        return partial(_get_inverse_sqrt_schedule_lr_lambda, num_warmup_steps=w, timescale=timescale)
    if name in ('cosine_with_min_lr', 'cosine_warmup_with_min_lr'):
        min_lr, min_lr_rate = kw.get('min_lr'), kw.get('min_lr_rate')
        assert (min_lr is None) != (min_lr_rate is None)
        if min_lr is not None:
            min_lr_rate = min_lr / lr_init
        if name == 'cosine_with_min_lr':
            return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=w, num_training_steps=t,
                           num_cycles=kw.get('num_cycles', 0.5), min_lr_rate=min_lr_rate)
        return partial(_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda, num_warmup_steps=w,
                       num_training_steps=t, num_cycles=kw.get('num_cycles', 0.5), min_lr_rate=min_lr_rate,
                       warmup_lr_rate=kw.get('warmup_lr_rate'))
    if name == 'warmup_stable_decay':
        d = kw['num_decay_steps']
        stable = kw.get('num_stable_steps')
        if stable is None:
            stable = t - w - d
        return partial(_get_wsd_scheduler_lambda, num_warmup_steps=w, num_stable_steps=stable, num_decay_steps=d,
                       warmup_type=kw.get('warmup_type', 'linear'), decay_type=kw.get('decay_type', 'cosine'),
                       min_lr_ratio=kw.get('min_lr_ratio', 0), num_cycles=kw.get('num_cycles', 0.5))
    raise ValueError(name)


LAMBDA_CASES = [
    ('linear', 5e-5, 0, 10, {}),
    ('linear', 2e-5, 4, 12, {}),
    ('linear', 1e-3, 3, 7, {}),
    ('constant', 5e-5, 3, 8, {}),
    ('constant_with_warmup', 5e-5, 4, 10, {}),
    ('cosine', 5e-5, 2, 10, {}),
    ('cosine', 3e-4, 0, 13, {'num_cycles': 1.5}),
    ('cosine_with_restarts', 5e-5, 2, 20, {'num_cycles': 3}),
    ('cosine_with_restarts', 1e-4, 0, 10, {}),
    ('cosine_with_restarts', 2e-5, 3, 17, {'num_cycles': 2.5}),
    ('polynomial', 5e-5, 3, 20, {}),
    ('polynomial', 1e-3, 0, 10, {'lr_end': 1e-6, 'power': 2.0}),
    ('polynomial', 2e-5, 2, 11, {'power': 0.5, 'lr_end': 1e-9}),
    ('inverse_sqrt', 5e-5, 5, 50, {}),
    ('inverse_sqrt', 5e-5, 0, 30, {}),
    ('inverse_sqrt', 1e-4, 3, 30, {'timescale': 10}),
    ('cosine_with_min_lr', 5e-5, 2, 20, {'min_lr_rate': 0.1}),
    ('cosine_with_min_lr', 5e-5, 0, 15, {'min_lr': 1e-6}),
    ('cosine_with_min_lr', 3e-5, 3, 20, {'num_cycles': 1, 'min_lr_rate': 0.2}),
    ('cosine_warmup_with_min_lr', 5e-5, 4, 20, {'min_lr_rate': 0.1}),
    ('cosine_warmup_with_min_lr', 5e-5, 3, 12, {'min_lr': 1e-6, 'warmup_lr_rate': 0.1}),
    ('cosine_warmup_with_min_lr', 2e-5, 0, 10, {'min_lr_rate': 0.05}),
    ('warmup_stable_decay', 5e-5, 3, 20, {'num_decay_steps': 5}),
    ('warmup_stable_decay', 5e-5, 2, 20, {'num_decay_steps': 6, 'decay_type': 'linear', 'warmup_type': 'cosine',
                                          'min_lr_ratio': 0.1}),
    ('warmup_stable_decay', 1e-4, 4, 30, {'num_decay_steps': 10, 'num_stable_steps': 8, 'decay_type': '1-sqrt',
                                          'warmup_type': '1-sqrt'}),
    ('warmup_stable_decay', 5e-5, 0, 10, {'num_decay_steps': 10, 'decay_type': 'cosine', 'num_cycles': 1}),
    ('warmup_stable_decay', 5e-5, 3, 10, {'num_decay_steps': 9}),  # stable = -2: the decay starts inside warmup's end
]

PLATEAU_CASES = [
    ('defaults (min, rel 1e-4, patience 10)', 5e-5, {}, [1.0, 0.9, 0.95] + [0.9] * 14 + [0.5] + [0.6] * 12),
    ('max, patience 2, cooldown 1', 1e-3, {'mode': 'max', 'patience': 2, 'cooldown': 1},
     [0.5, 0.6, 0.6, 0.59, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.71, 0.70, 0.70, 0.70, 0.70]),
    ('min, abs threshold, min_lr floor, factor 0.5', 1e-3,
     {'patience': 1, 'threshold': 0.05, 'threshold_mode': 'abs', 'factor': 0.5, 'min_lr': 2e-4},
     [1.0, 0.97, 0.96, 0.9, 0.88, 0.87, 0.86, 0.85, 0.5, 0.49, 0.48, 0.47, 0.46, 0.45]),
    ('max rel, patience 0, eps stops tiny cuts', 1e-7, {'mode': 'max', 'patience': 0, 'factor': 0.5, 'eps': 3e-8},
     [0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2]),
    ('nan and inf metrics', 5e-5, {'patience': 1}, [float('nan'), 1.0, float('nan'), float('inf'), 0.5, 0.5, 0.5]),
    ('max abs, cooldown 2', 1e-3, {'mode': 'max', 'threshold_mode': 'abs', 'threshold': 0.01, 'patience': 1, 'cooldown': 2},
     [0.1, 0.105, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3]),
]

WARMUP_CASES = [(100, 0), (100, 7), (100, 7.9), (100, 1), (100, 1.0), (100, 0.5), (101, 0.1), (100, 0.07), (3, 0.5),
                (1000, 0.03), (10, 0.999), (7, 0.3333), (250, 0.06)]


def get_warmup_steps(num_training_steps, warmup_steps):
    # transformers 5, TrainingArguments.get_warmup_steps
    return int(warmup_steps) if warmup_steps >= 1 else math.ceil(num_training_steps * warmup_steps)


def json_float(x):
    if math.isnan(x):
        return 'nan'
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return x


def run_lambda(name, lr, w, t, kw):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    sched = LambdaLR(opt, make_lambda(name, lr, w, t, kw))
    lrs = []
    for _ in range(t + 3):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return lrs


def run_plateau(lr, kw, metrics):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    sched = ReduceLROnPlateau(opt, **kw)
    lrs, states = [], []
    for m in metrics:
        sched.step(m)
        lrs.append(opt.param_groups[0]['lr'])
        sd = sched.state_dict()
        states.append({'best': json_float(sd['best']), 'num_bad_epochs': sd['num_bad_epochs'],
                       'cooldown_counter': sd['cooldown_counter'], 'last_epoch': sd['last_epoch']})
    return lrs, states


def main():
    warnings.simplefilter('error')
    torch.set_default_dtype(torch.float64)
    out = {
        'source': 'scripts/make_schedule_fixtures.py (transformers optimization.py lambdas, torch %s LambdaLR / ReduceLROnPlateau)'
                  % torch.__version__,
        'lambda_cases': [],
        'plateau_cases': [],
        'warmup_cases': [{'total': t, 'warmup_steps': ws, 'expected': get_warmup_steps(t, ws)} for t, ws in WARMUP_CASES],
    }
    for name, lr, w, t, kw in LAMBDA_CASES:
        out['lambda_cases'].append({'name': f'{name} w={w} t={t} {json.dumps(kw)}', 'type': name, 'base_lr': lr,
                                    'warmup': w, 'total': t, 'kwargs': kw, 'lrs': run_lambda(name, lr, w, t, kw)})
    for label, lr, kw, metrics in PLATEAU_CASES:
        lrs, states = run_plateau(lr, kw, metrics)
        assert lrs[-1] != lr or label.startswith('nan'), f'{label}: the learning rate never moved'
        out['plateau_cases'].append({'name': label, 'base_lr': lr, 'kwargs': kw, 'metrics': [json_float(m) for m in metrics],
                                     'lrs': lrs, 'states': states})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write('\n')
    print(f'wrote {OUT}: {len(out["lambda_cases"])} schedules, {len(out["plateau_cases"])} plateau runs, '
          f'{len(out["warmup_cases"])} warmup rules')


if __name__ == '__main__':
    main()
