/**
 * `finetune export-script`: a self-contained Python `train.py` (+ requirements.txt and an
 * `accelerate` config) that reproduces a run with transformers' Trainer — same data files,
 * columns, labels and hyperparameters — for users who outgrow one machine (`accelerate launch
 * train.py` or `torchrun --nproc_per_node N train.py` on a multi-GPU cluster).
 */
import type { RunArgs } from '../train/args.js';

/** The TrainingArguments keyword arguments of a run (Finetune-only settings left out). */
export function trainingArgumentsFor(a: RunArgs): Record<string, unknown> {
  const keys = [
    'output_dir',
    'overwrite_output_dir',
    'do_train',
    'do_eval',
    'do_predict',
    'num_train_epochs',
    'max_steps',
    'per_device_train_batch_size',
    'per_device_eval_batch_size',
    'gradient_accumulation_steps',
    'learning_rate',
    'weight_decay',
    'adam_beta1',
    'adam_beta2',
    'adam_epsilon',
    'max_grad_norm',
    'lr_scheduler_type',
    'lr_scheduler_kwargs',
    'warmup_ratio',
    'warmup_steps',
    'seed',
    'eval_strategy',
    'eval_steps',
    'save_strategy',
    'save_steps',
    'save_total_limit',
    'load_best_model_at_end',
    'metric_for_best_model',
    'greater_is_better',
    'logging_steps',
    'group_by_length',
    'fp16',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (a[k] !== null) out[k] = a[k];
  return out;
}

function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`)
      .join(', ')}}`;
  return JSON.stringify(String(v));
}

export interface ScriptInfo {
  labels: string[];
  problemType: string;
  textColumns: string[];
  pairColumn?: string;
}

export function exportScriptFiles(a: RunArgs, info: ScriptInfo): Record<string, string> {
  const targs = trainingArgumentsFor(a);
  const run = {
    model_name_or_path: a.model_name_or_path,
    train_file: a.train_file,
    validation_file: a.validation_file,
    test_file: a.test_file,
    text_columns: info.textColumns,
    pair_column: info.pairColumn ?? null,
    text_column_delimiter: a.text_column_delimiter ?? ' ',
    label_column: a.label_column_name,
    label_delimiter: a.label_delimiter,
    labels: info.labels,
    problem_type: info.problemType,
    max_seq_length: a.max_seq_length,
    validation_split_percentage: a.validation_split_percentage,
    shuffle_train_dataset: a.shuffle_train_dataset,
    early_stopping_patience: a.early_stopping_patience,
    early_stopping_threshold: a.early_stopping_threshold,
    hidden_dropout_prob: a.hidden_dropout_prob,
    attention_probs_dropout_prob: a.attention_probs_dropout_prob,
    classifier_dropout: a.classifier_dropout,
  };
  const trainPy = `#!/usr/bin/env python3
"""Reproduces a Finetune run with transformers' Trainer.

Written by \`finetune export-script\`. Run on one machine with \`python train.py\`, or on several GPUs with
\`accelerate launch --config_file accelerate_config.yaml train.py\` (or \`torchrun --nproc_per_node N train.py\`).
"""
import numpy as np
from datasets import load_dataset
from transformers import (AutoConfig, AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                          EarlyStoppingCallback, Trainer, TrainingArguments)

RUN = ${py(run)}

TRAINING_ARGUMENTS = ${py(targs)}


def load_split(path):
    ext = path.rsplit(".", 1)[-1].lower()
    if ext in ("csv", "tsv"):
        return load_dataset("csv", data_files=path, delimiter="\\t" if ext == "tsv" else ",")["train"]
    return load_dataset("json", data_files=path)["train"]


def text_of(batch):
    cols = RUN["text_columns"]
    if len(cols) == 1:
        return [str(t) for t in batch[cols[0]]]
    return [RUN["text_column_delimiter"].join(str(p) for p in parts if p is not None and str(p).strip()) for parts in zip(*(batch[c] for c in cols))]


def main():
    raw = {"train": load_split(RUN["train_file"])}
    if RUN["validation_file"]:
        raw["validation"] = load_split(RUN["validation_file"])
    elif TRAINING_ARGUMENTS.get("do_eval") or TRAINING_ARGUMENTS.get("eval_strategy", "no") != "no":
        split = raw["train"].train_test_split(test_size=RUN["validation_split_percentage"] / 100, seed=TRAINING_ARGUMENTS["seed"])
        raw["train"], raw["validation"] = split["train"], split["test"]
    if RUN["test_file"]:
        raw["test"] = load_split(RUN["test_file"])

    labels = RUN["labels"]
    problem = RUN["problem_type"]
    label2id = {l: i for i, l in enumerate(labels)}
    config = AutoConfig.from_pretrained(
        RUN["model_name_or_path"],
        num_labels=1 if problem == "regression" else len(labels),
        problem_type=problem,
        **({} if problem == "regression" else {"id2label": dict(enumerate(labels)), "label2id": label2id}),
        **{k: RUN[k] for k in ("hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout") if RUN[k] is not None},
    )
    tokenizer = AutoTokenizer.from_pretrained(RUN["model_name_or_path"])
    model = AutoModelForSequenceClassification.from_pretrained(RUN["model_name_or_path"], config=config, ignore_mismatched_sizes=True)

    def preprocess(batch):
        pairs = [str(p) for p in batch[RUN["pair_column"]]] if RUN["pair_column"] else None
        out = tokenizer(text_of(batch), pairs, truncation=True, max_length=RUN["max_seq_length"])
        if RUN["label_column"] in batch:
            values = batch[RUN["label_column"]]
            if problem == "regression":
                out["labels"] = [float(v) for v in values]
            elif problem == "multi_label_classification":
                rows = [v if isinstance(v, list) else str(v).split(RUN["label_delimiter"] or ",") for v in values]
                out["labels"] = [[1.0 if l in {str(x).strip() for x in r} else 0.0 for l in labels] for r in rows]
            else:
                out["labels"] = [label2id[str(v)] for v in values]
        return out

    data = {k: v.map(preprocess, batched=True, remove_columns=v.column_names) for k, v in raw.items()}
    if RUN["shuffle_train_dataset"]:
        data["train"] = data["train"].shuffle(seed=TRAINING_ARGUMENTS["seed"])

    def compute_metrics(p):
        logits, y = p
        if problem == "regression":
            pred = logits.squeeze()
            return {"mse": float(((pred - y) ** 2).mean()), "mae": float(np.abs(pred - y).mean())}
        if problem == "multi_label_classification":
            pred = (logits > 0).astype(int)
            tp = (pred * y).sum(); fp = (pred * (1 - y)).sum(); fn = ((1 - pred) * y).sum()
            return {"accuracy": float((pred == y).all(axis=1).mean()), "f1": float(2 * tp / max(1, 2 * tp + fp + fn))}
        from sklearn.metrics import accuracy_score, precision_recall_fscore_support
        pred = logits.argmax(-1)
        average = "binary" if len(labels) == 2 else ${py(a.average)}
        p_, r_, f_, _ = precision_recall_fscore_support(y, pred, average=average, zero_division=0)
        return {"accuracy": accuracy_score(y, pred), "precision": p_, "recall": r_, "f1": f_}

    callbacks = []
    if RUN["early_stopping_patience"]:
        callbacks.append(EarlyStoppingCallback(RUN["early_stopping_patience"], RUN["early_stopping_threshold"]))
    trainer = Trainer(
        model=model,
        args=TrainingArguments(**TRAINING_ARGUMENTS),
        train_dataset=data["train"],
        eval_dataset=data.get("validation"),
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=compute_metrics,
        callbacks=callbacks,
    )
    if TRAINING_ARGUMENTS.get("do_train"):
        result = trainer.train()
        trainer.save_model()
        trainer.log_metrics("train", result.metrics)
        trainer.save_metrics("train", result.metrics)
        trainer.save_state()
    if TRAINING_ARGUMENTS.get("do_eval") and "validation" in data:
        metrics = trainer.evaluate()
        trainer.log_metrics("eval", metrics)
        trainer.save_metrics("eval", metrics)


if __name__ == "__main__":
    main()
`;
  const requirements = 'transformers>=4.46\ndatasets>=2.19\naccelerate>=0.34\ntorch>=2.1\nscikit-learn>=1.3\nnumpy\n';
  const accelerate = `# accelerate launch --config_file accelerate_config.yaml train.py
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
num_machines: 1
machine_rank: 0
num_processes: 2  # GPUs on this machine
gpu_ids: all
mixed_precision: bf16
main_training_function: main
rdzv_backend: static
same_network: true
use_cpu: false
`;
  return { 'train.py': trainPy, 'requirements.txt': requirements, 'accelerate_config.yaml': accelerate };
}
