package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/** The EDM forward process x = x₀ + σ n, n ~ N(0, I) (Karras et al. 2022, Eq. 2 with s(t) = 1): A_σ is the identity. */
public record AdditiveProcess() implements ForwardProcess {
    @Override
    public Tensor signal(Tensor x0, double[] sigma) {
        return x0;
    }

    @Override
    public Noised apply(Tensor x0, double[] sigma, NoiseSource noise) {
        long[] shape = Tensors.shape(x0);
        long[] sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
        Tensor n = noise.randn(sampleShape).to(x0.scalar_type());
        Tensor x = signal(x0, sigma).add(n.mul(Tensors.broadcastable(Tensors.fromDoubles(sigma, sigma.length), n).to(x0.scalar_type())));
        return new Noised(x, n);
    }
}
