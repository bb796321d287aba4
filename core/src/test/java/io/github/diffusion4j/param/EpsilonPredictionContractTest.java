package io.github.diffusion4j.param;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** {@link EpsilonPrediction} against the parametrisation contract; its true head is F* = (x₀ − c_skip x)/c_out (Karras et al. 2022, Eq. 8). */
class EpsilonPredictionContractTest extends ParametrisationContract {
    private final EpsilonPrediction param = new EpsilonPrediction();

    @Override
    protected Parametrisation parametrisation() {
        return param;
    }

    @Override
    protected Preconditioning preconditioning() {
        return new VpPreconditioning(io.github.diffusion4j.schedule.LinearVpSchedule.edm(), 999);
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        return List.of(param.target(ex.x0(), ex.x(), s));
    }
}
