package io.github.diffusion4j.param;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** {@link VelocityPrediction} against the parametrisation contract; its true head is F* = (x₀ − c_skip x)/c_out (Karras et al. 2022, Eq. 8). */
class VelocityPredictionContractTest extends ParametrisationContract {
    private final VelocityPrediction param = new VelocityPrediction();

    @Override
    protected Parametrisation parametrisation() {
        return param;
    }

    @Override
    protected Preconditioning preconditioning() {
        return new VePreconditioning();
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        return List.of(param.target(ex.x0(), ex.x(), s));
    }
}
