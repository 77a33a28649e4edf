"""Random-initialised diffusers audio pipelines built in code (tokenizers too), saved in diffusers layout.

`tiny`: a few thousand parameters each, for tests (a denoising step in milliseconds on a CPU).
`full_stable_audio`: Stable Audio Open 1.0's shapes (1.1 B-parameter DiT, T5-base, Oobleck VAE), random
weights: a step costs what the real model's costs, for benchmarks. Nothing is downloaded; the engines
load these folders through their real loading path.
"""

from __future__ import annotations

from pathlib import Path

import torch

# Words the tiny tokenizers know: what the engines' sub-prompts are made of (others become <unk>).
WORDS = ("a the of on in and with to down an footsteps footstep boots gravel wind light rain door knock knocking "
         "glass metal wood wooden hit soft thud object put clothes rustling quiet room tone single isolated sound "
         "effect close dry no music continuous background ambience speech singing distortion low quality foley "
         "movement gunshot impact heavy slam").split()


def t5_tokenizer(max_length: int = 32):
    """A T5 (unigram) tokenizer over WORDS and single letters, built without any file."""
    from transformers import T5Tokenizer

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [("\u2581" + w, -1.0 - i * 0.01) for i, w in enumerate(WORDS)]
    vocab += [(c, -20.0) for c in "abcdefghijklmnopqrstuvwxyz,.'-\u2581"]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=max_length)


def roberta_tokenizer(max_length: int = 32):
    """A byte-level BPE (RoBERTa) tokenizer trained on WORDS with the `tokenizers` library."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([" ".join(WORDS)] * 4, vocab_size=400, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    model = bpe._tokenizer.model
    vocab = bpe.get_vocab()
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        merges = [tuple(line.split(" ")) for line in Path(folder, "merges.txt").read_text().splitlines()
                  if line and not line.startswith("#")]
    tok = RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)
    assert json.dumps(tok("footsteps on gravel").input_ids)  # it tokenizes
    return tok


def tiny_stable_audio():
    """StableAudioPipeline with Open 1.0's structure at toy size: 44.1 kHz stereo, VAE hop 256, 2.97 s maximum."""
    from diffusers import (AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel,
                           StableAudioPipeline, StableAudioProjectionModel)
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    tokenizer = t5_tokenizer()
    text_encoder = T5EncoderModel(T5Config(vocab_size=len(tokenizer), d_model=8, d_ff=16, d_kv=4, num_heads=2,
                                           num_layers=1, decoder_start_token_id=0))
    transformer = StableAudioDiTModel(sample_size=512, in_channels=3, num_layers=2, attention_head_dim=4,
                                      num_attention_heads=2, num_key_value_attention_heads=1, out_channels=3,
                                      cross_attention_dim=4, time_proj_dim=8, global_states_input_dim=8,
                                      cross_attention_input_dim=4)
    vae = AutoencoderOobleck(encoder_hidden_size=6, downsampling_ratios=[4, 8, 8], decoder_channels=3,
                             decoder_input_channels=3, audio_channels=2, channel_multiples=[1, 2, 4],
                             sampling_rate=44100)
    projection = StableAudioProjectionModel(text_encoder_dim=8, conditioning_dim=4, min_value=0, max_value=512)
    scheduler = CosineDPMSolverMultistepScheduler(solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
                                                  sigma_schedule="exponential")
    return StableAudioPipeline(vae=vae, text_encoder=text_encoder, projection_model=projection, tokenizer=tokenizer,
                               transformer=transformer, scheduler=scheduler)


def tiny_audioldm2():
    """AudioLDM2Pipeline at toy size: 16 kHz mono, vocoder hop 64, 2.0 s windows."""
    from diffusers import (AudioLDM2Pipeline, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel, AutoencoderKL,
                           DDIMScheduler)
    from transformers import (ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapTextConfig,
                              GPT2Config, GPT2LMHeadModel, SpeechT5HifiGan, SpeechT5HifiGanConfig, T5Config,
                              T5EncoderModel)

    torch.manual_seed(0)
    tokenizer = roberta_tokenizer()
    tokenizer_2 = t5_tokenizer()
    unet = AudioLDM2UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=1, sample_size=250, norm_num_groups=4,
                                         attention_head_dim=4,
                                         in_channels=4, out_channels=4,
                                         down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                         up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                                         cross_attention_dim=([None, 16, 32], [None, 16, 32]))
    vae = AutoencoderKL(block_out_channels=[8, 16], in_channels=1, out_channels=1, latent_channels=4, norm_num_groups=4,
                        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
                        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"])
    text = ClapTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=16, intermediate_size=37, num_attention_heads=2,
                          num_hidden_layers=2, pad_token_id=1, vocab_size=len(tokenizer), projection_dim=16)
    # Tiny CLAP audio branch: hidden_size = patch_embeds_hidden_size * 2 ** (len(depths) - 1); feature_size = mel bins.
    audio = ClapAudioConfig(spec_size=64, window_size=4, num_mel_bins=64, intermediate_size=37, depths=[2, 2],
                            num_attention_heads=[2, 2], num_hidden_layers=2, hidden_size=192, patch_embeds_hidden_size=96,
                            projection_dim=16, patch_size=2, patch_stride=2, patch_embed_input_channels=4)
    text_encoder = ClapModel(ClapConfig(text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=16))
    feature_extractor = ClapFeatureExtractor(feature_size=64, hop_length=7900)
    text_encoder_2 = T5EncoderModel(T5Config(vocab_size=len(tokenizer_2), d_model=32, d_ff=37, d_kv=8, num_heads=2,
                                             num_layers=2, decoder_start_token_id=0))
    language_model = GPT2LMHeadModel(GPT2Config(n_embd=16, n_head=2, n_layer=2, vocab_size=len(tokenizer),
                                                n_ctx=99, n_positions=99))
    language_model.config.max_new_tokens = 8
    projection = AudioLDM2ProjectionModel(text_encoder_dim=16, text_encoder_1_dim=32, langauge_model_dim=16)
    vocoder = SpeechT5HifiGan(SpeechT5HifiGanConfig(model_in_dim=8, sampling_rate=16000, upsample_initial_channel=16,
                                                    upsample_rates=[8, 8], upsample_kernel_sizes=[16, 16],
                                                    resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]],
                                                    normalize_before=False))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    return AudioLDM2Pipeline(vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2,
                             projection_model=projection, language_model=language_model, tokenizer=tokenizer,
                             tokenizer_2=tokenizer_2, feature_extractor=feature_extractor, unet=unet,
                             scheduler=scheduler, vocoder=vocoder)


def full_stable_audio():
    """StableAudioPipeline with Open 1.0's configuration (diffusers' defaults are its values), random weights."""
    from diffusers import (AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel,
                           StableAudioPipeline, StableAudioProjectionModel)
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    tokenizer = t5_tokenizer(max_length=128)
    text_encoder = T5EncoderModel(T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12,
                                           num_heads=12, decoder_start_token_id=0))  # t5-base
    scheduler = CosineDPMSolverMultistepScheduler(solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
                                                  sigma_schedule="exponential", sigma_min=0.3, sigma_max=500.0)
    return StableAudioPipeline(vae=AutoencoderOobleck(), text_encoder=text_encoder, tokenizer=tokenizer,
                               projection_model=StableAudioProjectionModel(768, 768, 0, 512),
                               transformer=StableAudioDiTModel(), scheduler=scheduler)


BUILDERS = {"stable-audio": tiny_stable_audio, "audioldm2": tiny_audioldm2}


def save_tiny(engine: str, folder: Path) -> Path:
    """The tiny pipeline of an engine, saved in diffusers layout (model_index.json + components)."""
    BUILDERS[engine]().save_pretrained(str(folder), safe_serialization=True)
    return folder


def save_full_stable_audio(folder: Path) -> Path:
    """Open 1.0-shaped random weights in diffusers layout (about 5 GB in fp32)."""
    full_stable_audio().save_pretrained(str(folder), safe_serialization=True)
    return folder
