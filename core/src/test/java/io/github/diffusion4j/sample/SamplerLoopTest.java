package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The step loop frees each step's temporaries and each replaced state, keeps the caller's input and hands the result out. */
class SamplerLoopTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    record Two(Tensor x, Tensor history) implements SamplerLoop.State {
        @Override
        public List<Tensor> tensors() {
            return Arrays.asList(x, history);
        }
    }

    @Test
    void aTwoTensorStateIsFreedStepByStepAndOnlyTheResultSurvives() {
        List<Tensor> temporaries = new ArrayList<>();
        List<Two> states = new ArrayList<>();
        Tensor start = Tensors.fromDoubles(new double[] {1, 2, 3}, 1, 3);
        Tensor result;
        Tensor carried;
        try (PointerScope outer = new PointerScope()) {
            Tensor[] passed = new Tensor[1];
            result = SamplerLoop.run(new Two(start, null), 4, (i, s) -> {
                Tensor tmp = s.x().mul(new Scalar(2.0));
                temporaries.add(tmp);
                Tensor xNext = tmp.add(new Scalar(1.0));
                // the history is made on step 1 and passed on unchanged by steps 2 and 3
                Tensor history = i == 1 ? s.x().clone() : s.history();
                passed[0] = history;
                Two next = new Two(xNext, history);
                states.add(next);
                return next;
            });
            carried = passed[0];
            assertThat(Tensors.toDoubles(result)).containsExactly(31, 47, 63);
            assertThat(result.isNull()).as("the result lives in the caller's scope").isFalse();
            for (Tensor t : temporaries) {
                assertThat(t.isNull()).as("every step's temporaries are freed").isTrue();
            }
            for (int k = 0; k < states.size() - 1; k++) {
                assertThat(states.get(k).x().isNull()).as("x of step %d is freed once replaced", k).isTrue();
            }
            assertThat(carried.isNull()).as("the history held by the final state is freed at the end").isTrue();
            assertThat(Tensors.toDoubles(start)).as("the caller's start is untouched").containsExactly(1, 2, 3);
        }
        assertThat(result.isNull()).as("the caller's scope frees the result").isTrue();
        assertThat(start.isNull()).isFalse();
        start.close();
    }

    @Test
    void zeroStepsReturnTheCallersInput() {
        try (PointerScope outer = new PointerScope()) {
            Tensor start = Tensors.fromDoubles(new double[] {5}, 1, 1);
            assertThat(SamplerLoop.iterate(start, 0, (i, x) -> x.add(new Scalar(1.0)))).isSameAs(start);
        }
    }
}
