package io.github.diffusion4j.param;

import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Dynamic dual-output diffusion (Benny &amp; Wolf 2022, Sec. 3; dual_diffusion {@code dualx}): one
 * backbone output of 2C + 1 channels read as x̂₀ (C), ε̂ (C) and a per-pixel mixing logit r (1,
 * shared by the colour channels). x₀^ε = x − σ ε̂ (EDM units), s = sigmoid(r) and the denoiser is
 * D = s·x̂₀ + (1 − s)·x₀^ε. The loss is the official one: the mean of the squared errors of x̂₀, ε̂
 * and the mixture term, the last built from detached x̂₀ and x₀^ε so that it trains r alone, each a
 * third of the total (named terms {@code x0}, {@code eps}, {@code mix}). The mixture term is
 * w(σ)·‖x₀ − x₀^mix‖²: under the discrete VP process w = c₁(t)², the DDPM posterior-mean
 * coefficient, which is exactly the official ‖μ̃(x₀, x_t) − μ̃(x₀^mix, x_t)‖²; see {@link MixWeight}.
 */
public final class DualOutput implements Parametrisation {
    private final MixWeight mixWeight;

    /** The weight w(σ) of the mixture term ‖x₀ − x₀^mix‖². */
    @FunctionalInterface
    public interface MixWeight {
        double at(double sigma, double sigmaData);

        /**
         * The official weight under a discrete VP schedule (dual_diffusion {@code diffusion.py:353-378}):
         * c₁(t)² with c₁ = β_t √ᾱ_{t−1} / (1 − ᾱ_t) (Ho et al. 2020, Eq. 7), at t = the step of σ
         * (fractional steps interpolate ln σ as the schedule does; ᾱ_{−1} = 1).
         */
        static MixWeight posteriorMean(DiscreteVpSchedule schedule) {
            return (sigma, sigmaData) -> {
                double t = schedule.t(sigma);
                double alphaBar = 1 / (1 + sigma * sigma);
                double prevSigma = t >= 1 ? schedule.sigma(t - 1) : 0;
                double alphaBarPrev = t >= 1 ? 1 / (1 + prevSigma * prevSigma) : 1;
                double beta = 1 - alphaBar / alphaBarPrev;
                double c1 = beta * Math.sqrt(alphaBarPrev) / (1 - alphaBar);
                return c1 * c1;
            };
        }

        /**
         * The counterpart under EDM's continuous σ: EDM's own λ(σ) = (σ² + σ_d²)/(σ σ_d)² (Karras et
         * al. 2022, Table 1), which gives the mixed denoiser's error unit weight in F-space at every σ,
         * as λ does for EDM's single-output loss; chosen because c₁ has no meaning without a discrete
         * step, while λ is what makes D's error comparable across EDM's log-normal σ's.
         */
        static MixWeight edm() {
            return (sigma, sigmaData) -> (sigma * sigma + sigmaData * sigmaData) / (sigma * sigma * sigmaData * sigmaData);
        }
    }

    public DualOutput(MixWeight mixWeight) {
        this.mixWeight = mixWeight;
    }

    /** One full-resolution head of 2C + 1 channels: x̂₀, ε̂, logit. */
    @Override
    public List<HeadSpec> heads(int channels) {
        return List.of(HeadSpec.output(2 * channels + 1));
    }

    /** ε-prediction's scalings (c_skip = 1, c_out = −σ), so x₀^ε = c_skip x + c_out ε̂; c_in, c_noise from the preconditioning. */
    @Override
    public Scalings scalings(double sigma, Preconditioning pre) {
        Scalings p = pre.at(sigma);
        return new Scalings(1.0, -sigma, p.cIn(), p.cNoise());
    }

    /** The three parts of a [B, 2C+1, H, W] head: x̂₀, ε̂ and the mixing weight s = sigmoid(r). */
    public record Parts(Tensor x0, Tensor eps, Tensor mix) {}

    /** Splits a head into x̂₀, ε̂ and s = sigmoid(r). */
    public static Parts parts(Tensor head) {
        long c = (head.size(1) - 1) / 2;
        return new Parts(head.narrow(1, 0, c), head.narrow(1, c, c), torch.sigmoid(head.narrow(1, 2 * c, 1)));
    }

    /** x₀^ε = c_skip x + c_out ε̂ = x − σ ε̂ for per-sample scalings. */
    private static Tensor x0FromEps(Tensor x, Tensor eps, Scalings[] s) {
        double[] skip = new double[s.length];
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            skip[i] = s[i].cSkip();
            out[i] = s[i].cOut();
        }
        Tensor cSkip = Tensors.broadcastable(Tensors.fromDoubles(skip, s.length), x).to(Tensors.scalarType(eps));
        Tensor cOut = Tensors.broadcastable(Tensors.fromDoubles(out, s.length), x).to(Tensors.scalarType(eps));
        return x.to(Tensors.scalarType(eps)).mul(cSkip).add(eps.mul(cOut));
    }

    /** x₀^mix = s·x̂₀ + (1 − s)·x₀^ε. */
    private static Tensor mixture(Tensor mix, Tensor x0, Tensor x0Eps) {
        return x0Eps.add(mix.mul(x0.sub(x0Eps)));
    }

    @Override
    public Tensor denoised(List<Tensor> heads, Tensor x, Scalings[] s) {
        Parts p = parts(heads.get(0).to(ScalarType.Double));
        return mixture(p.mix(), p.x0(), x0FromEps(x, p.eps(), s));
    }

    /** The per-pixel mixing weight s [B, 1, H, W] of a head (what {@code --mix-map} draws). */
    public static Tensor mixingWeight(Tensor head) {
        return parts(head.to(ScalarType.Double)).mix();
    }

    @Override
    public Loss loss(List<Tensor> heads, TrainingExample ex, Scalings[] s, LossWeighting weighting) {
        Tensor head = heads.get(0);
        ScalarType dt = Tensors.scalarType(head);
        Parts p = parts(head);
        long batch = head.size(0);
        Tensor x0 = ex.x0().to(dt);
        Tensor x0Term = meanSquare(x0.sub(p.x0()), batch);
        Tensor epsTerm = meanSquare(ex.noise().to(dt).sub(p.eps()), batch);
        Tensor mixed = mixture(p.mix(), p.x0().detach(), x0FromEps(ex.x(), p.eps().detach(), s));
        double[] w = new double[s.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = mixWeight.at(ex.sigma()[i], ex.sigmaData()) / 3;
        }
        Tensor mixTerm = meanSquare(x0.sub(mixed), batch).mul(Tensors.fromDoubles(w, batch).to(dt));
        Tensor third = Tensors.fromDoubles(new double[] {1.0 / 3}, 1).to(dt);
        Tensor a = x0Term.mul(third);
        Tensor b = epsTerm.mul(third);
        return new Loss(a.add(b).add(mixTerm), Map.of("x0", a, "eps", b, "mix", mixTerm));
    }

    private static Tensor meanSquare(Tensor d, long batch) {
        return d.square().reshape(batch, -1).mean(new long[] {1}, false, new ScalarTypeOptional());
    }

    @Override
    public String toString() {
        return "DualOutput";
    }
}
