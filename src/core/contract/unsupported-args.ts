/**
 * transformers / run_classification.py flags that Finetune does not take, each with the reason and
 * what to do instead: a flag copied from a Trainer command line gets this answer, not "unknown option".
 */

const ONE_DEVICE = 'Finetune trains on one device (CPU or GPU); for several GPUs or machines write a Trainer script with `finetune export-script`';
const NO_LOADER = 'Finetune builds batches in-process (no data-loader workers), so it has no effect here';
const NO_HUB_DATA = 'Finetune reads local files: download the data set and give --train_file (and --validation_file / --test_file)';

export const UNSUPPORTED_ARGS: Readonly<Record<string, string>> = {
  bf16: 'bfloat16 training is not available (ONNX Runtime has no bfloat16 kernels on the CPU or WebGPU providers); use --fp16 on a GPU',
  bf16_full_eval: 'bfloat16 is not available; evaluation runs in float32',
  fp16_full_eval: 'evaluation always runs in float32; --fp16 applies to training',
  fp16_opt_level: '--fp16 is autocast with dynamic loss scaling (the native AMP path); there are no apex opt levels',
  half_precision_backend: '--fp16 has one backend (autocast + dynamic loss scaling)',
  tf32: 'TF32 is an NVIDIA PyTorch setting; ONNX Runtime chooses its own kernels',
  deepspeed: ONE_DEVICE,
  fsdp: ONE_DEVICE,
  fsdp_config: ONE_DEVICE,
  accelerator_config: ONE_DEVICE,
  parallelism_config: ONE_DEVICE,
  local_rank: ONE_DEVICE,
  ddp_backend: ONE_DEVICE,
  ddp_find_unused_parameters: ONE_DEVICE,
  ddp_timeout: ONE_DEVICE,
  tpu_num_cores: ONE_DEVICE,
  torch_compile: 'Finetune compiles the whole training step into one ONNX graph already',
  torch_compile_backend: 'Finetune compiles the whole training step into one ONNX graph already',
  torch_compile_mode: 'Finetune compiles the whole training step into one ONNX graph already',
  use_cpu: 'choose the device with --execution_provider cpu',
  no_cuda: 'choose the device with --execution_provider cpu',
  use_mps_device: 'choose the device with --execution_provider (webgpu uses Metal on macOS)',
  optim: 'Finetune trains with AdamW (torch.optim.AdamW semantics: --adam_beta1, --adam_beta2, --adam_epsilon, --weight_decay)',
  optim_args: 'Finetune trains with AdamW; set it with --adam_beta1, --adam_beta2, --adam_epsilon, --weight_decay',
  gradient_checkpointing:
    'activation recomputation is not implemented; lower --per_device_train_batch_size and raise --gradient_accumulation_steps to save memory',
  dataloader_num_workers: NO_LOADER,
  dataloader_pin_memory: NO_LOADER,
  dataloader_persistent_workers: NO_LOADER,
  dataloader_prefetch_factor: NO_LOADER,
  dataloader_drop_last: 'the last, shorter batch of an epoch is always trained on (the Trainer default)',
  per_gpu_train_batch_size: 'removed from transformers: use --per_device_train_batch_size',
  per_gpu_eval_batch_size: 'removed from transformers: use --per_device_eval_batch_size',
  evaluation_strategy: 'renamed --eval_strategy in transformers 4.41 and removed in 5: use --eval_strategy',
  use_fast_tokenizer:
    'Finetune always runs the fast tokenizer (tokenizer.json, converted from vocab.txt / vocab.json + merges.txt / SentencePiece when a folder has no tokenizer.json)',
  trust_remote_code: "a model's own Python modelling code cannot run here; Finetune implements the supported architectures itself",
  dataset_name: NO_HUB_DATA,
  dataset_config_name: NO_HUB_DATA,
  train_split_name: NO_HUB_DATA,
  validation_split_name: NO_HUB_DATA,
  test_split_name: NO_HUB_DATA,
  remove_splits: NO_HUB_DATA,
  remove_columns: 'only the text, pair and label columns are read (--text_column_names, --label_column_name); other columns are ignored',
  pad_to_max_length: 'batches are padded to their longest row (and the encoder skips the padding): results do not depend on padding',
  overwrite_cache: 'tokenized data is not cached on disk',
  preprocessing_num_workers: 'tokenizing runs in-process',
  config_name: 'the model folder must hold its own config.json',
  full_determinism: 'runs are deterministic already: the same seed and flags give the same weights',
  save_only_model: 'checkpoints always hold the optimizer, scheduler and RNG state, so that a run resumes exactly',
  save_safetensors: 'models and checkpoints are always written as safetensors',
  neftune_noise_alpha: 'NEFTune embedding noise is not implemented',
  use_liger_kernel: 'Liger kernels are PyTorch/Triton kernels; ONNX Runtime runs the step',
  torch_empty_cache_steps: 'there is no PyTorch cache to empty',
  auto_find_batch_size: 'choose --per_device_train_batch_size yourself (the sidebar shows a memory estimate)',
  include_inputs_for_metrics: 'metrics are computed from logits and labels only',
  label_names: 'the label column is --label_column_name',
  prediction_loss_only: 'evaluation always reports the loss and the metrics',
  disable_tqdm: 'the progress bar shows on a terminal only; --log_format json prints one JSON object per event instead',
  run_name: 'runs are named by their output folder',
  logging_dir: 'TensorBoard event files go to output_dir/runs/<date>_<host>/ (as transformers 5 does)',
};

/** The answer to a flag Finetune does not take, when it is a known transformers one. */
export function unsupportedReason(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(UNSUPPORTED_ARGS, name) ? UNSUPPORTED_ARGS[name] : undefined;
}
