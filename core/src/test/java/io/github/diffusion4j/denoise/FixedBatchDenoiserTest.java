package io.github.diffusion4j.denoise;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The network always sees the fixed batch, and every row still gets its own x, σ, label, image and augmentation. */
class FixedBatchDenoiserTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** D = x·σ + label + augmentation + image, row by row, recording every batch size it is called with. */
    static final class Recording implements Denoiser {
        final List<Long> batches = new ArrayList<>();

        @Override
        public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
            batches.add(x.size(0));
            double[] v = Tensors.toDoubles(x), s = Tensors.toDoubles(sigma), img = Tensors.toDoubles(cond.image());
            long[] labels = cond.classLabels();
            double[] aug = cond.augmentation();
            int per = v.length / s.length;
            for (int i = 0; i < v.length; i++) {
                int r = i / per;
                v[i] = v[i] * s[r] + labels[r] + aug[r] + img[i];
            }
            return Tensors.fromDoubles(v, Tensors.shape(x));
        }
    }

    @Test
    void everyCallHasTheFixedBatchAndRowsKeepTheirConditioning() {
        try (PointerScope scope = new PointerScope()) {
            int b = 11;
            double[] x = new double[b * 2], s = new double[b], aug = new double[b], img = new double[b * 2];
            long[] labels = new long[b];
            for (int i = 0; i < b; i++) {
                s[i] = 0.5 + i;
                labels[i] = i % 3;
                aug[i] = 0.01 * i;
                for (int k = 0; k < 2; k++) {
                    x[2 * i + k] = i + 0.1 * k;
                    img[2 * i + k] = -0.001 * (2 * i + k);
                }
            }
            Conditioning cond = new Conditioning(labels, Tensors.fromDoubles(img, b, 2), aug);
            Recording inner = new Recording();
            Tensor out = new FixedBatchDenoiser(inner, 4).denoise(Tensors.fromDoubles(x, b, 2), Tensors.fromDoubles(s, b), cond);
            assertThat(inner.batches).containsExactly(4L, 4L, 4L);
            Tensor direct = new Recording().denoise(Tensors.fromDoubles(x, b, 2), Tensors.fromDoubles(s, b), cond);
            assertThat(Tensors.toDoubles(out)).containsExactly(Tensors.toDoubles(direct));
        }
    }
}
