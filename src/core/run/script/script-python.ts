/**
 * `finetune export-script`, the Python half: train.py's code (below the RUN and TRAINING_ARGUMENTS
 * tables the export writes), requirements.txt and the accelerate config.
 *
 * train.py imports only the standard library and numpy at the top, so its helpers (class weights,
 * label encoding, metrics, the TrainingArguments translation, the length-grouped order, resuming)
 * can be imported and tested without transformers; torch and transformers are imported in main().
 * It runs on transformers 5.x and on the 4.5x line from 4.50 (TRANSFORMERS_RANGE).
 */

/** The transformers versions train.py is written for (requirements.txt and its docstring say so). */
export const TRANSFORMERS_RANGE = '>=4.50,<6';

export const REQUIREMENTS = [
  '# pip install -r requirements.txt',
  '# transformers 5.x, or the 4.5x line from 4.50: train.py translates its TrainingArguments for the installed one.',
  `transformers${TRANSFORMERS_RANGE}`,
  'accelerate>=1.1,<2',
  'torch>=2.2,<3',
  'numpy>=1.24,<3',
  '',
].join('\n');

/** accelerate launch --config_file accelerate_config.yaml train.py: one machine, every GPU; mixed precision as the run's --fp16. */
export function accelerateConfig(fp16: boolean): string {
  return [
    '# accelerate launch --config_file accelerate_config.yaml train.py',
    '# (or: torchrun --nproc_per_node N train.py)',
    'compute_environment: LOCAL_MACHINE',
    'distributed_type: MULTI_GPU',
    'num_machines: 1',
    'machine_rank: 0',
    'num_processes: 2  # the number of GPUs to use on this machine',
    'gpu_ids: all',
    `mixed_precision: ${fp16 ? 'fp16' : 'no'}  # follows --fp16, as TRAINING_ARGUMENTS["fp16"] does`,
    'main_training_function: main',
    'rdzv_backend: static',
    'same_network: true',
    'use_cpu: false',
    '',
  ].join('\n');
}

/** Python source of a value (dict keys and strings as JSON, which Python reads the same); dicts one entry a line. */
export function py(v: unknown, indent = ''): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`no Python literal for ${v}`);
    return String(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => py(x, indent)).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const inner = `${indent}    `;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${py(x, inner)},`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(String(v));
}

/** train.py below its docstring and tables: helpers first (no transformers needed), main() last. */
export const TRAIN_PY_BODY = String.raw`
MIN_TRANSFORMERS = (4, 50)


def here(path):
    """A path written relative to this folder ("./data/train.jsonl"), else the path or Hub id as given."""
    if isinstance(path, str) and path.startswith("./"):
        return os.path.join(HERE, path[2:])
    return path


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def targets_of(rows, labels, problem):
    """Label ids (single-label), multi-hot float lists (multi-label) or floats (regression); None when the rows have no label."""
    if not rows or any("label" not in r for r in rows):
        return None
    if problem == "regression":
        return [float(r["label"]) for r in rows]
    index = {name: i for i, name in enumerate(labels)}
    if problem == "multi_label_classification":
        out = []
        for r in rows:
            hot = [0.0] * len(labels)
            for name in r["label"]:
                hot[index[name]] = 1.0
            out.append(hot)
        return out
    return [index[r["label"]] for r in rows]


def class_weights_for(spec, train_ids, num_labels):
    """--class_weights: "auto" is n / (C * count_c) over the training labels (0 for a class without rows), else the list in label order."""
    if spec is None:
        return None
    if spec == "auto":
        counts = [0] * num_labels
        for i in train_ids:
            counts[i] += 1
        n = len(train_ids)
        return [0.0 if c == 0 else n / (num_labels * c) for c in counts]
    return [float(x) for x in spec.split(",")]


def effective_max_length(max_seq_length, model_type, max_position_embeddings, pad_token_id):
    """Finetune's cap on --max_seq_length: the model's positions, less RoBERTa's offset (pad_token_id + 1)."""
    if not max_position_embeddings:
        return max_seq_length
    offset = (pad_token_id or 0) + 1 if "roberta" in (model_type or "") else 0
    return min(max_seq_length, max_position_embeddings - offset)


# DistilBertConfig and ModernBertConfig name the dropouts their own way; DebertaV2Config the classifier's.
DROPOUT_NAMES = {
    "distilbert": {"hidden_dropout_prob": "dropout", "attention_probs_dropout_prob": "attention_dropout", "classifier_dropout": "seq_classif_dropout"},
    "modernbert": {"hidden_dropout_prob": "mlp_dropout", "attention_probs_dropout_prob": "attention_dropout"},
    "deberta-v2": {"classifier_dropout": "cls_dropout"},
}


def dropout_overrides(model_type, overrides):
    names = DROPOUT_NAMES.get(model_type, {})
    return {names.get(k, k): v for k, v in overrides.items() if v is not None}


def training_arguments_for(wanted, train_order, fields, major):
    """TRAINING_ARGUMENTS (transformers 5.x names) for the installed TrainingArguments, whose field names are fields.

    Returns (kwargs, sampler, unknown): sampler is None (the Trainer's own) or "sequential" / "length_shuffled" (FinetuneTrainer's);
    unknown lists the keywords the installed version lacks.
    """
    kwargs = dict(wanted)
    sampler = "length_shuffled" if train_order == "length_shuffled" else None
    strategy = kwargs.get("train_sampling_strategy")
    if strategy is not None and "train_sampling_strategy" not in fields:
        del kwargs["train_sampling_strategy"]  # before 5.2
        if strategy == "group_by_length":
            kwargs["group_by_length"] = True
        elif strategy == "sequential":
            sampler = "sequential"
    if major < 5 and 0 < kwargs.get("warmup_steps", 0) < 1:
        kwargs["warmup_ratio"] = kwargs.pop("warmup_steps")  # before 5.0 warmup_steps is an int
    return kwargs, sampler, sorted(k for k in kwargs if k not in fields)


def length_grouped_indices(lengths, batch_size, rng, mega_batch_mult=None):
    """transformers' get_length_grouped_indices, with random.Random in place of torch.randperm."""
    n = len(lengths)
    mult = mega_batch_mult if mega_batch_mult is not None else min(n // (batch_size * 4), 50)
    mult = max(mult, 1)
    indices = list(range(n))
    rng.shuffle(indices)
    size = mult * batch_size
    megabatches = [sorted(indices[i : i + size], key=lambda k: -lengths[k]) for i in range(0, n, size)]
    if not megabatches:
        return []
    top = max(range(len(megabatches)), key=lambda k: lengths[megabatches[k][0]])
    megabatches[0][0], megabatches[top][0] = megabatches[top][0], megabatches[0][0]
    return [i for mb in megabatches for i in mb]


def shuffled_length_grouped_indices(lengths, batch_size, rng, mega_batch_mult=None):
    """Finetune's --length_grouping shuffled: the length-grouped batches in random order, the longest first, the short one last."""
    flat = length_grouped_indices(lengths, batch_size, rng, mega_batch_mult)
    batches = [flat[i : i + batch_size] for i in range(0, len(flat), batch_size)]
    if len(batches) <= 2:
        return flat
    partial = batches.pop() if len(flat) % batch_size else []
    rest = batches[1:]
    rng.shuffle(rest)
    return batches[0] + [i for b in rest for i in b] + partial


def _ratio(a, b):
    return 0.0 if b == 0 else float(a) / float(b)


def _f1(tp, fp, fn):
    return _ratio(2 * tp, 2 * tp + fp + fn)


def classification_metrics(logits, labels, num_labels, average):
    """accuracy, precision, recall, f1 as Finetune (scikit-learn, zero_division=0): two labels 'binary' (positive label 1), else average."""
    pred = np.asarray(logits).reshape(len(labels), num_labels).argmax(-1)
    y = np.asarray(labels).astype(np.int64).reshape(-1)
    cm = np.zeros((num_labels, num_labels))
    np.add.at(cm, (y, pred), 1)
    tp, fp, fn = np.diag(cm), cm.sum(0) - np.diag(cm), cm.sum(1) - np.diag(cm)
    present = [i for i in range(num_labels) if cm[i].sum() > 0 or cm[:, i].sum() > 0]
    if num_labels == 2:
        p, r, f = _ratio(tp[1], tp[1] + fp[1]), _ratio(tp[1], tp[1] + fn[1]), _f1(tp[1], fp[1], fn[1])
    elif average == "micro":
        t, f_, n_ = (sum(v[i] for i in present) for v in (tp, fp, fn))
        p, r, f = _ratio(t, t + f_), _ratio(t, t + n_), _f1(t, f_, n_)
    else:
        w = [tp[i] + fn[i] if average == "weighted" else 1.0 for i in present]
        p = _ratio(sum(wi * _ratio(tp[i], tp[i] + fp[i]) for wi, i in zip(w, present)), sum(w))
        r = _ratio(sum(wi * _ratio(tp[i], tp[i] + fn[i]) for wi, i in zip(w, present)), sum(w))
        f = _ratio(sum(wi * _f1(tp[i], fp[i], fn[i]) for wi, i in zip(w, present)), sum(w))
    return {"accuracy": _ratio(np.trace(cm), len(y)), "precision": p, "recall": r, "f1": f}


def multi_label_metrics(logits, labels):
    """Subset accuracy, micro f1 (run_classification.py's metric), f1_micro, f1_macro, micro precision and recall; a label is on where its logit > 0."""
    pred, y = np.asarray(logits) > 0, np.asarray(labels) > 0.5
    tp, fp, fn = (pred & y).sum(0), (pred & ~y).sum(0), (~pred & y).sum(0)
    micro = _f1(tp.sum(), fp.sum(), fn.sum())
    return {
        "accuracy": float((pred == y).all(axis=1).mean()),
        "f1": micro,
        "f1_micro": micro,
        "f1_macro": float(np.mean([_f1(tp[k], fp[k], fn[k]) for k in range(y.shape[1])])),
        "precision": _ratio(tp.sum(), tp.sum() + fp.sum()),
        "recall": _ratio(tp.sum(), tp.sum() + fn.sum()),
    }


def regression_metrics(predictions, targets):
    """mse, mae, r2 (scikit-learn's r2_score) and pearson (NaN when either side is constant)."""
    p = np.asarray(predictions, dtype=np.float64).reshape(-1)
    y = np.asarray(targets, dtype=np.float64).reshape(-1)
    sq = float(((y - p) ** 2).sum())
    m2y, m2p = float(((y - y.mean()) ** 2).sum()), float(((p - p.mean()) ** 2).sum())
    r2 = (1.0 if sq == 0 else 0.0) if m2y == 0 else 1 - sq / m2y
    denom = math.sqrt(m2y * m2p)
    pearson = float("nan") if denom == 0 else max(-1.0, min(1.0, float(((y - y.mean()) * (p - p.mean())).sum()) / denom))
    return {"mse": sq / len(y), "mae": float(np.abs(y - p).mean()), "r2": r2, "pearson": pearson}


def compute_metrics_for(problem, num_labels, average):
    def compute(prediction):
        logits, labels = prediction.predictions, prediction.label_ids
        logits = logits[0] if isinstance(logits, tuple) else logits
        if problem == "regression":
            return regression_metrics(logits, labels)
        if problem == "multi_label_classification":
            return multi_label_metrics(logits, labels)
        return classification_metrics(logits, labels, num_labels, average)

    return compute


def checkpoint_to_resume(output_dir, overwrite, resume_from):
    """What to resume, as Finetune decides: a checkpoint folder given, "true" = the latest checkpoint-N in output_dir, and
    without overwrite_output_dir the latest one there too. A non-empty output_dir without checkpoints is an error then."""
    if resume_from and resume_from != "true":
        return resume_from
    found = []
    if os.path.isdir(output_dir):
        for name in os.listdir(output_dir):
            m = re.fullmatch(r"checkpoint-(\d+)", name)
            if m and os.path.isdir(os.path.join(output_dir, name)):
                found.append((int(m.group(1)), name))
    latest = os.path.join(output_dir, max(found)[1]) if found else None
    if resume_from == "true":
        if latest is None:
            raise ValueError(f"resume_from_checkpoint is true but {output_dir} holds no checkpoint-N folder; set RUN['resume_from_checkpoint'] = None to train from scratch")
        return latest
    if overwrite or latest:
        return None if overwrite else latest
    if os.path.isdir(output_dir) and any(not e.startswith(".") for e in os.listdir(output_dir)):
        raise ValueError(f"{output_dir} already exists and is not empty; set RUN['overwrite_output_dir'] = True or choose another TRAINING_ARGUMENTS['output_dir']")
    return None


def prediction_rows(rows, logits, labels, problem):
    """predict_results.csv as Finetune writes it: one row per input row (index, line, the texts, the given label,
    predicted, score, every class probability, correct, note); rows that were not predicted say why."""
    pairs = any("text_pair" in r for r in rows)
    labelled = any("label" in r for r in rows)
    header = ["index", "line", "text"] + (["text_pair"] if pairs else []) + (["label"] if labelled else [])
    header += ["predicted", "score"] + ([] if problem == "regression" else [f"p({name})" for name in labels])
    header += (["correct"] if labelled else []) + ["note"]
    out, k = [header], 0
    for row in rows:
        if "skipped" in row:
            out.append([row["index"], row["line"]] + [""] * (len(header) - 3) + [f"not predicted: {row['skipped']}"])
            continue
        z = np.asarray(logits[k], dtype=np.float64).reshape(-1)
        k += 1
        given = row.get("label")
        given = "" if given is None else "|".join(given) if isinstance(given, list) else str(given)
        line = [row.get("index", k - 1), row.get("line", ""), row["text"]] + ([row.get("text_pair", "")] if pairs else []) + ([given] if labelled else [])
        if problem == "regression":
            predicted, score, probs = float(z[0]), "", []
        elif problem == "multi_label_classification":
            probs = 1 / (1 + np.exp(-z))
            on = [j for j in range(len(labels)) if probs[j] > 0.5]
            predicted, score = "|".join(labels[j] for j in on), float(min(probs[j] for j in on)) if on else 0
        else:
            e = np.exp(z - z.max())
            probs = e / e.sum()
            best = int(probs.argmax())
            predicted, score = labels[best], float(probs[best])
        line += [predicted, score] + [round(float(p), 6) for p in probs]
        if labelled:
            line.append("" if given == "" or problem == "regression" else str(given == str(predicted)).lower())
        out.append(line + ["no label" if labelled and given == "" else ""])
    return out


def longest_first_lengths(n1, n2, budget):
    """How many tokens of each text truncation="longest_first" keeps (the tokenizers library's rule)."""
    if n2 is None:
        return min(n1, budget), None
    if n1 + n2 <= budget:
        return n1, n2
    swap = n1 > n2
    if swap:
        n1, n2 = n2, n1
    n2 = n1 if n1 > budget else max(n1, budget - n1)
    if n1 + n2 > budget:
        n1 = budget // 2
        n2 = n1 + budget % 2
    return (n2, n1) if swap else (n1, n2)


def head_tail(ids, keep):
    """Finetune's --long_text head_tail: the first and last of ids, 128 : 382 as Sun et al. 2019 (of 510), scaled to keep."""
    if len(ids) <= keep:
        return list(ids)
    if keep <= 1:
        return list(ids[:keep])
    head = max(1, math.floor(keep * 128 / 510 + 0.5))
    return list(ids[:head]) + list(ids[len(ids) - (keep - head):])


def head_tail_encode(tokenizer, texts, pairs, max_length):
    """Each text gets the share of max_length truncation would give it, filled with its first and last tokens."""
    a = tokenizer(texts, add_special_tokens=False)["input_ids"]
    b = tokenizer(pairs, add_special_tokens=False)["input_ids"] if pairs is not None else [None] * len(a)
    budget = max_length - tokenizer.num_special_tokens_to_add(pair=pairs is not None)
    out = {}
    for x, y in zip(a, b):
        kx, ky = longest_first_lengths(len(x), None if y is None else len(y), budget)
        item = tokenizer.prepare_for_model(head_tail(x, kx), None if y is None else head_tail(y, ky), add_special_tokens=True, truncation=False)
        for k, v in item.items():
            out.setdefault(k, []).append(v)
    return out


def encode(tokenizer, rows, targets, max_length, long_text="truncate"):
    """Tokenized rows (truncated, or head + tail; unpadded: DataCollatorWithPadding pads each batch) with their labels."""
    pairs = [r["text_pair"] for r in rows] if rows and "text_pair" in rows[0] else None
    texts = [r["text"] for r in rows]
    if long_text == "head_tail":
        enc = head_tail_encode(tokenizer, texts, pairs, max_length)
    else:
        enc = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    items = [{k: enc[k][i] for k in enc.keys()} for i in range(len(rows))]
    if targets is not None:
        for item, target in zip(items, targets):
            item["labels"] = target
    return items


def finetune_trainer_class(Trainer, torch):
    """The Trainer with Finetune's class-weighted loss and row orders."""

    class LengthShuffledSampler(torch.utils.data.Sampler):
        def __init__(self, lengths, batch_size, seed):
            self.lengths, self.batch_size, self.seed, self.epochs = lengths, batch_size, seed, 0

        def __len__(self):
            return len(self.lengths)

        def __iter__(self):
            # Seeded per epoch, so every process of a multi-GPU run draws the same order.
            rng = random.Random(f"{self.seed}:{self.epochs}")
            self.epochs += 1
            return iter(shuffled_length_grouped_indices(self.lengths, self.batch_size, rng))

    class FinetuneTrainer(Trainer):
        def __init__(self, *args, class_weights=None, sampler=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.class_weights, self.finetune_sampler = class_weights, sampler
            if class_weights is not None:
                # The weighted loss is a batch mean that ignores num_items_in_batch: the Trainer then scales it for
                # gradient accumulation itself (its compute_loss docstring asks for this).
                self.model_accepts_loss_kwargs = False

        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            if self.class_weights is None or "labels" not in inputs:
                return super().compute_loss(model, inputs, return_outputs=return_outputs, **kwargs)
            inputs = dict(inputs)
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
            weight = torch.tensor(self.class_weights, dtype=torch.float32, device=logits.device)
            loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)), labels.view(-1), weight=weight)
            return (loss, outputs) if return_outputs else loss

        def _get_train_sampler(self, *args, **kwargs):
            dataset = (args[0] if args else kwargs.get("train_dataset")) or self.train_dataset
            if self.finetune_sampler == "sequential":
                return torch.utils.data.SequentialSampler(dataset)
            if self.finetune_sampler == "length_shuffled":
                lengths = [len(item["input_ids"]) for item in dataset]
                return LengthShuffledSampler(lengths, self.args.per_device_train_batch_size, self.args.seed)
            return super()._get_train_sampler(*args, **kwargs)

    return FinetuneTrainer


def load_model(transformers, num_labels):
    hub = {"revision": RUN["revision"], **({"cache_dir": RUN["cache_dir"]} if RUN["cache_dir"] else {})}
    tokenizer = transformers.AutoTokenizer.from_pretrained(here(RUN["tokenizer_name_or_path"]), **hub)
    config = transformers.AutoConfig.from_pretrained(here(RUN["model_name_or_path"]), num_labels=num_labels, problem_type=RUN["problem_type"], **hub)
    if RUN["problem_type"] != "regression":
        config.id2label = dict(enumerate(RUN["labels"]))
        config.label2id = {name: i for i, name in enumerate(RUN["labels"])}
    for key, value in dropout_overrides(config.model_type, RUN["dropout"]).items():
        setattr(config, key, value)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        here(RUN["model_name_or_path"]), config=config, ignore_mismatched_sizes=True, **hub
    )
    return tokenizer, model


def training_arguments(transformers):
    fields = {f.name for f in dataclasses.fields(transformers.TrainingArguments) if f.init}
    major = int(transformers.__version__.split(".")[0])
    kwargs, sampler, unknown = training_arguments_for(TRAINING_ARGUMENTS, RUN["train_order"], fields, major)
    if unknown:
        sys.exit(f"transformers {transformers.__version__} has no TrainingArguments {', '.join(unknown)}; this script is written for transformers{RUN['transformers']} (pip install -r requirements.txt)")
    kwargs["output_dir"] = here(kwargs["output_dir"])
    return transformers.TrainingArguments(**kwargs), sampler


def load_splits(tokenizer, model):
    """Each exported split (data/*.jsonl), tokenized; and the targets of the training rows."""
    problem, labels = RUN["problem_type"], RUN["labels"]
    max_length = effective_max_length(RUN["max_seq_length"], model.config.model_type, getattr(model.config, "max_position_embeddings", None), model.config.pad_token_id)
    splits, train_targets = {}, None
    for name, path in RUN["data_files"].items():
        every = read_jsonl(here(path))
        rows = [r for r in every if "skipped" not in r]
        targets = targets_of(rows, labels, problem)
        train_targets = targets if name == "train" else train_targets
        splits[name] = (every, encode(tokenizer, rows, targets, max_length, RUN.get("long_text", "truncate")), targets is not None)
    return splits, train_targets


def write_predictions(trainer, rows, items, labelled):
    output = trainer.predict(items, metric_key_prefix="test")
    if trainer.is_world_process_zero():
        logits = output.predictions[0] if isinstance(output.predictions, tuple) else output.predictions
        with open(os.path.join(trainer.args.output_dir, "predict_results.csv"), "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(prediction_rows(rows, logits, RUN["labels"], RUN["problem_type"]))
    if labelled:
        trainer.log_metrics("test", output.metrics)
        trainer.save_metrics("test", output.metrics)


def main():
    import torch
    import transformers

    if tuple(int(x) for x in re.findall(r"\d+", transformers.__version__)[:2]) < MIN_TRANSFORMERS:
        sys.exit(f"transformers {transformers.__version__} is too old: pip install 'transformers{RUN['transformers']}'")
    if RUN["threads"]:
        torch.set_num_threads(RUN["threads"])
    args, sampler = training_arguments(transformers)
    resume = checkpoint_to_resume(args.output_dir, RUN["overwrite_output_dir"], RUN["resume_from_checkpoint"])
    transformers.set_seed(args.seed)  # before the new classification head is initialised
    problem, labels = RUN["problem_type"], RUN["labels"]
    num_labels = 1 if problem == "regression" else len(labels)
    tokenizer, model = load_model(transformers, num_labels)
    splits, train_targets = load_splits(tokenizer, model)
    weights = class_weights_for(RUN["class_weights"], train_targets, num_labels) if problem == "single_label_classification" else None
    callbacks = []
    if RUN["early_stopping_patience"]:
        callbacks.append(transformers.EarlyStoppingCallback(RUN["early_stopping_patience"], RUN["early_stopping_threshold"]))
    trainer = finetune_trainer_class(transformers.Trainer, torch)(
        model=model,
        args=args,
        train_dataset=splits["train"][1],
        eval_dataset=splits["validation"][1] if "validation" in splits else None,
        processing_class=tokenizer,
        data_collator=transformers.DataCollatorWithPadding(tokenizer),
        compute_metrics=compute_metrics_for(problem, num_labels, RUN["average"]),
        callbacks=callbacks,
        class_weights=weights,
        sampler=sampler,
    )
    if RUN["do_train"]:
        result = trainer.train(resume_from_checkpoint=resume)
        trainer.save_model()
        trainer.log_metrics("train", result.metrics)
        trainer.save_metrics("train", result.metrics)
        trainer.save_state()
    if RUN["do_eval"] and "validation" in splits:
        metrics = trainer.evaluate()
        trainer.log_metrics("eval", metrics)
        trainer.save_metrics("eval", metrics)
        headline = f"eval_{RUN['metric_name']}" if RUN["metric_name"] else None
        if headline in metrics:
            print(f"{headline}: {metrics[headline]}")
    if RUN["do_predict"] and "test" in splits:
        rows, items, labelled = splits["test"]
        write_predictions(trainer, rows, items, labelled)


if __name__ == "__main__":
    main()
`;
