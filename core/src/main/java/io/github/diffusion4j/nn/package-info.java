/**
 * The layer library: the building blocks of every backbone and feature network (the U-Net, the
 * frozen classifiers, the FID Inception network, and the DiT/DiMR/LEGO backbones to come), as
 * small objects over a {@link io.github.diffusion4j.net.ParameterStore}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Parameters.</b> A layer registers its tensors in the store at construction, under
 *       {@code name + ".weight"}, {@code name + ".bias"} (and {@code .running_mean},
 *       {@code .running_var}, {@code .freqs} where they apply), in a fixed order; their initial
 *       values are a pure function of (store seed, tensor name, {@link io.github.diffusion4j.nn.WeightInit}),
 *       so the names are the checkpoint format. The store owns the tensors.</li>
 *   <li><b>Dtype.</b> Weights are float32 and are cast to the activation dtype per call (EDM's
 *       {@code weight.to(x.dtype)}): a bf16 forward pass uses float32 master weights and gives them
 *       float32 gradients. A float32 input uses the weights themselves.</li>
 *   <li><b>Memory.</b> Every result is attached to the caller's innermost {@code PointerScope}.</li>
 *   <li><b>FLOPs</b> ({@link io.github.diffusion4j.nn.Layer#flops}), for an input of the given shape,
 *       batch included: a multiply-add counts 2 FLOPs; counted are convolutions
 *       (2·C_in·C_out·k_h·k_w·H_out·W_out), linear layers (2·in·out per row) and the two attention
 *       matmuls (QKᵀ and A·V: 4·L²·C for L tokens and C channels, summed over heads). Biases,
 *       normalisations, activations, softmax, pooling, resampling, embedding look-ups and reshapes
 *       count 0. This is the U-Net's analytic count (a training step costs about 3× it).</li>
 * </ul>
 */
package io.github.diffusion4j.nn;
