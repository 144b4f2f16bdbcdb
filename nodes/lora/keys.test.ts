import { describe, expect, it } from 'vitest';
import { groupLoraKeys, normaliseModule, parseLoraKey } from './keys';

const Q = 'down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q';

describe('parseLoraKey', () => {
  it.each([
    // kohya
    [`lora_unet_${Q}.lora_down.weight`, 'unet', Q, 'down'],
    [`lora_unet_${Q}.lora_up.weight`, 'unet', Q, 'up'],
    [`lora_unet_${Q}.alpha`, 'unet', Q, 'alpha'],
    ['lora_unet_conv_out.lora_down.weight', 'unet', 'conv_out', 'down'],
    ['lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight', 'text_encoder', 'text_model_encoder_layers_0_self_attn_q_proj', 'up'],
    ['lora_te2_text_model_encoder_layers_3_mlp_fc1.alpha', 'text_encoder_2', 'text_model_encoder_layers_3_mlp_fc1', 'alpha'],
    // diffusers
    ['unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight', 'unet', Q, 'down'],
    ['unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.up.weight', 'unet', Q, 'up'],
    ['unet.mid_block.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.down.weight', 'unet', 'mid_block_attentions_0_transformer_blocks_0_attn2_to_out_0', 'down'],
    ['text_encoder.text_model.encoder.layers.0.self_attn.k_proj.lora_linear_layer.down.weight', 'text_encoder', 'text_model_encoder_layers_0_self_attn_k_proj', 'down'],
    ['unet.up_blocks.1.attentions.2.proj_in.lora_A.weight', 'unet', 'up_blocks_1_attentions_2_proj_in', 'down'],
    ['unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.alpha', 'unet', Q, 'alpha'],
    // PEFT
    ['base_model.model.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight', 'unet', Q, 'down'],
    ['base_model.model.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.default.weight', 'unet', Q, 'up'],
    ['base_model.model.text_model.encoder.layers.11.mlp.fc2.lora_B.weight', 'text_encoder', 'text_model_encoder_layers_11_mlp_fc2', 'up'],
  ])('%s', (key, component, module, role) => {
    expect(parseLoraKey(key)).toEqual({ component, module, role });
  });

  it('does not take LyCORIS or DoRA tensors for LoRA down/up matrices', () => {
    expect(parseLoraKey(`lora_unet_${Q}.hada_w1_a`)).toBeUndefined();
    expect(parseLoraKey(`lora_unet_${Q}.lora_mid.weight`)).toBeUndefined();
    expect(parseLoraKey(`lora_unet_${Q}.dora_scale`)).toBeUndefined();
    expect(parseLoraKey('some.random.tensor')).toBeUndefined();
  });
});

describe('groupLoraKeys', () => {
  it('pairs down/up/alpha per module and reports strays', () => {
    const { modules, unrecognised } = groupLoraKeys([
      `lora_unet_${Q}.lora_down.weight`, `lora_unet_${Q}.lora_up.weight`, `lora_unet_${Q}.alpha`,
      'lora_unet_conv_in.lora_down.weight', // no up
      `lora_unet_${Q}.hada_w1_a`,
    ]);
    expect(modules).toEqual([{ component: 'unet', module: Q, down: `lora_unet_${Q}.lora_down.weight`, up: `lora_unet_${Q}.lora_up.weight`, alpha: `lora_unet_${Q}.alpha` }]);
    expect(unrecognised.sort()).toEqual(['lora_unet_conv_in.lora_down.weight', `lora_unet_${Q}.hada_w1_a`]);
  });

  it('normalises node and initializer paths to kohya spelling', () => {
    expect(normaliseModule('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q')).toBe(Q);
    expect(normaliseModule('text_model.encoder.layers.0.self_attn.q_proj')).toBe('text_model_encoder_layers_0_self_attn_q_proj');
  });
});
