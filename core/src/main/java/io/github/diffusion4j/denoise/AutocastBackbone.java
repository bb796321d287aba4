package io.github.diffusion4j.denoise;

import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A backbone evaluated under CPU bf16 autocast (mixed precision, Micikevicius et al. 2018, with
 * bfloat16 in place of fp16): matrix products and convolutions in bf16 with float32 master weights,
 * heads returned as float32 — the sampling counterpart of the training step's autocast
 * (the trainer wraps its networks in it too), so the preconditioning and the sampler stay in float32/float64.
 */
public final class AutocastBackbone implements Backbone {
    private final Backbone inner;

    public AutocastBackbone(Backbone inner) {
        this.inner = inner;
    }

    /** The backbone evaluated under autocast (e.g. to ask its network for its FLOPs). */
    public Backbone inner() {
        return inner;
    }

    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        boolean wasEnabled = torch.is_autocast_enabled(torch.DeviceType.CPU);
        ScalarType wasType = torch.get_autocast_dtype(torch.DeviceType.CPU);
        torch.set_autocast_dtype(torch.DeviceType.CPU, ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.DeviceType.CPU, true);
        torch.increment_nesting();
        List<Tensor> heads;
        try {
            heads = inner.forward(xIn, level, cond, exit);
        } finally {
            // as torch.autocast.__exit__: the bf16 copies of the weights cached during this forward are dropped on leaving the
            // outermost region; never dropped, later forwards reused stale copies (bf16 resume was not bit-identical, ResumeTest)
            if (torch.decrement_nesting() == 0) {
                torch.clear_cache();
            }
            torch.set_autocast_enabled(torch.DeviceType.CPU, wasEnabled); // restored, as __exit__ does, so a nested region leaves the outer one on
            torch.set_autocast_dtype(torch.DeviceType.CPU, wasType);
        }
        return heads.stream().map(h -> h.to(ScalarType.Float)).toList();
    }
}
