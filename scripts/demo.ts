/**
 * The README's main job (`npm run demo`): with no network and no GPU, make a small random-init
 * BERT, fine-tune it on the shipped sample of the SMS Spam Collection (examples/sms-spam, CC BY 4.0,
 * made by scripts/make-demo-data.ts), evaluate, predict a few messages, and export it in the Hugging Face
 * layout with ONNX for Transformers.js. Runs the `finetune` CLI in this process.
 */
import { main } from '../src/cli/main.js';

const out = process.argv[2] ?? 'out/demo';
const train = [
  'train',
  '--model_name_or_path',
  'preset:bert-tiny',
  '--tokenizer_name',
  'examples/tokenizer',
  '--train_file',
  'examples/sms-spam/train.csv',
  '--validation_split_percentage',
  '10',
  '--test_file',
  'examples/sms-spam/test.csv',
  '--do_eval',
  '--do_predict',
  '--output_dir',
  out,
  '--overwrite_output_dir',
  '--num_train_epochs',
  '3',
  '--per_device_train_batch_size',
  '32',
  '--per_device_eval_batch_size',
  '64',
  '--learning_rate',
  '1e-3',
  '--warmup_ratio',
  '0.1',
  '--weight_decay',
  '0.01',
  '--max_seq_length',
  '64',
  '--eval_strategy',
  'epoch',
  '--save_strategy',
  'epoch',
  '--save_total_limit',
  '2',
  '--load_best_model_at_end',
  '--metric_for_best_model',
  'f1',
  '--logging_steps',
  '20',
  '--log_format',
  'text',
];
const sentences = [
  'Are we still on for lunch tomorrow? I can pick you up at 12',
  'WINNER!! You have been selected to receive a £900 prize reward. Call 09061701461 to claim now',
  'Sorry, I will call you later, in a meeting right now',
  'FREE entry to our weekly competition: text WIN to 87121 to get your ringtone',
];
const predict = ['predict', '--model_name_or_path', out, '--log_format', 'text', ...sentences.flatMap((s) => ['--text', s])];

const t0 = Date.now();
console.log(`$ finetune ${train.join(' ')}\n`);
let code = await main(train);
if (code === 0) {
  console.log(`\n$ finetune ${predict.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`);
  code = await main(predict);
}
if (code === 0) {
  console.log(`\nThe fine-tuned model is in ${out}/ (config.json, model.safetensors, tokenizer, README.md model card,`);
  console.log(`onnx/model.onnx and onnx/model_quantized.onnx): Python transformers and Transformers.js load it as it is.`);
  console.log(`Demo finished in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
}
process.exitCode = code;
