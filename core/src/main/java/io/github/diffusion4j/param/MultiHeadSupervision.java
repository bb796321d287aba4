package io.github.diffusion4j.param;

import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.engine.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head supervision of a single-head parametrisation: DiMR's multi-resolution loss (Liu et al.
 * 2024, Sec. 3.2; {@code sde.py} LSimple, {@code even_multi_scale_targets}) and LEGO's deep
 * supervision (Zheng et al. 2024, Sec. 3; {@code LEGOEDMLoss} with {@code --joint}).
 *
 * <p>The backbone returns K heads, head k at 1/{@code downsample[k]} of the input's resolution; the
 * last is at full resolution. The loss is L = Σ_k c_k · L_inner(head_k; example↓_k), each weighted
 * term reported as {@code head<k>} (with the inner term's name appended when the inner loss has
 * several, {@code head0.x0}). The example is brought to head k's resolution by one linear map P
 * applied alike to x₀, the noise n and the noisy x: d×d sum-pooling divided by d ({@link Pooling#SUM},
 * DiMR's {@code scale_correction=True}, which keeps white noise at unit variance) or the plain d×d mean
 * ({@link Pooling#MEAN}). Because P is linear, Px = Px₀ + σ·Pn still holds at the same σ, so the
 * inner parametrisation's scalings (c_skip, c_out, λ) are used unchanged and its target becomes
 * F*↓ = (Px₀ − c_skip Px)/c_out = P F*: for ε-prediction exactly DiMR's target Pε; for x₀ or EDM's F
 * a k-times-brighter smooth signal under SUM (its variance k² at high σ, which DiMR's coefficient
 * 1/4 at k = 2 offsets). Odd sizes follow the official {@code odd_multi_scale_targets}: a (d+1)×(d+1)
 * window, stride d, zero padding d/2, divided by d+1 (SUM) or (d+1)² (MEAN). Denoising (sampling)
 * reads the last head the backbone returned, the full-resolution one (or the deepest evaluated one
 * under an early {@code Exit}).
 */
public final class MultiHeadSupervision implements Parametrisation {
    /** How a target is brought to a lower resolution. */
    public enum Pooling {
        /** d×d sum divided by d (DiMR, {@code scale_correction=True}): white noise keeps unit variance. */
        SUM,
        /** d×d mean ({@code scale_correction=False}). */
        MEAN;

        /** The config name ({@code sum}, {@code mean}). */
        public static Pooling parse(String name) {
            return switch (name) {
                case "sum" -> SUM;
                case "mean" -> MEAN;
                default -> throw new IllegalArgumentException("unknown pooling '" + name + "'");
            };
        }
    }

    private final Parametrisation inner;
    private final List<Integer> downsample;
    private final List<Double> weights;
    private final Pooling pooling;

    /**
     * K heads at {@code downsample} (the last 1), weighted {@code weights} (K non-negative numbers;
     * an empty list means 1/K each, LEGO's average over bricks), each read as {@code inner}, which
     * must read one full-resolution head.
     */
    public MultiHeadSupervision(Parametrisation inner, List<Integer> downsample, List<Double> weights, Pooling pooling) {
        List<HeadSpec> one = inner.heads(1);
        if (one.size() != 1 || one.get(0).downsample() != 1) {
            throw new IllegalArgumentException("multi-head supervision wraps a single full-resolution head, not " + inner + " reading " + one);
        }
        if (downsample.isEmpty() || downsample.get(downsample.size() - 1) != 1) {
            throw new IllegalArgumentException("the last head must be at full resolution (downsample 1), got " + downsample);
        }
        for (int d : downsample) {
            if (d < 1) {
                throw new IllegalArgumentException("head downsampling factors must be ≥ 1, got " + downsample);
            }
        }
        List<Double> w = weights;
        if (w.isEmpty()) {
            w = java.util.Collections.nCopies(downsample.size(), 1.0 / downsample.size());
        }
        if (w.size() != downsample.size()) {
            throw new IllegalArgumentException(w.size() + " loss weights for " + downsample.size() + " heads");
        }
        for (double c : w) {
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("loss weights must be finite and ≥ 0, got " + weights);
            }
        }
        this.inner = inner;
        this.downsample = List.copyOf(downsample);
        this.weights = List.copyOf(w);
        this.pooling = pooling;
    }

    /** The parametrisation each head is read as. */
    public Parametrisation inner() {
        return inner;
    }

    /** The heads' downsampling factors, lowest resolution first as configured. */
    public List<Integer> downsample() {
        return downsample;
    }

    /** The per-head loss coefficients c_k. */
    public List<Double> weights() {
        return weights;
    }

    /** The inner head at each configured downsampling factor. */
    @Override
    public List<HeadSpec> heads(int channels) {
        HeadSpec h = inner.heads(channels).get(0);
        List<HeadSpec> out = new ArrayList<>();
        for (int d : downsample) {
            out.add(new HeadSpec(h.role(), h.channels(), d));
        }
        return out;
    }

    @Override
    public Scalings scalings(double sigma, Preconditioning pre) {
        return inner.scalings(sigma, pre);
    }

    /** x̂₀ from the last head returned (the full-resolution one). */
    @Override
    public Tensor denoised(List<Tensor> heads, Tensor x, Scalings[] s) {
        Tensor last = heads.get(heads.size() - 1);
        if (last.size(-1) != x.size(-1) || last.size(-2) != x.size(-2)) {
            throw new IllegalArgumentException("the last head is " + last.size(-2) + "×" + last.size(-1) + ", not at the input's resolution "
                    + x.size(-2) + "×" + x.size(-1));
        }
        return inner.denoised(List.of(last), x, s);
    }

    @Override
    public Loss loss(List<Tensor> heads, TrainingExample ex, Scalings[] s, LossWeighting weighting) {
        if (heads.size() != downsample.size()) {
            throw new IllegalArgumentException(this + " reads " + downsample.size() + " heads, got " + heads.size());
        }
        Tensor total = null;
        Map<String, Tensor> terms = new LinkedHashMap<>();
        for (int k = 0; k < heads.size(); k++) {
            int d = downsample.get(k);
            TrainingExample at = d == 1 ? ex
                    : new TrainingExample(down(ex.x0(), d, pooling), down(ex.noise(), d, pooling), ex.sigma(), down(ex.x(), d, pooling),
                            ex.sigmaData());
            Loss l = inner.loss(List.of(heads.get(k)), at, s, weighting);
            Tensor c = Tensors.fromDoubles(new double[] {weights.get(k)}, 1).to(Tensors.scalarType(l.perSample()));
            Tensor weighted = l.perSample().mul(c);
            total = total == null ? weighted : total.add(weighted);
            if (l.terms().size() == 1) {
                terms.put("head" + k, weighted);
            } else {
                for (Map.Entry<String, Tensor> e : l.terms().entrySet()) {
                    terms.put("head" + k + "." + e.getKey(), e.getValue().mul(c));
                }
            }
        }
        return new Loss(total, terms);
    }

    /**
     * {@code t} [B, C, H, W] brought to 1/{@code d} of its resolution as DiMR's {@code multi_scale_targets}:
     * a depthwise convolution with a constant kernel of ones/d ({@code SUM}) or ones/d² ({@code MEAN}), d×d with
     * stride d for even H; for odd H ((H − 1) divisible by d) a (d+1)×(d+1) kernel, padding d/2, ones/(d+1) or
     * ones/(d+1)². Runs in {@code t}'s dtype.
     */
    public static Tensor down(Tensor t, int d, Pooling pooling) {
        if (d == 1) {
            return t;
        }
        long c = t.size(1), h = t.size(2), w = t.size(3);
        boolean even = h % 2 == 0;
        long ks = even ? d : d + 1;
        if (even ? h % d != 0 || w % d != 0 : (h - 1) % d != 0 || (w - 1) % d != 0) {
            throw new IllegalArgumentException(h + "×" + w + " cannot be pooled by " + d);
        }
        double scale = pooling == Pooling.SUM ? ks : (double) ks * ks;
        Tensor kernel = torch.ones(new long[] {c, 1, ks, ks}, new TensorOptions(Tensors.scalarType(t))).div(new Scalar(scale));
        long pad = even ? 0 : ks / 2;
        return torch.conv2d(t, kernel, new org.bytedeco.pytorch.TensorOptional(), new long[] {d, d}, new long[] {pad, pad},
                new long[] {1, 1}, c);
    }

    @Override
    public String toString() {
        return "MultiHeadSupervision(" + inner + ", downsample " + downsample + ", weights " + weights + ", " + pooling + ")";
    }
}
