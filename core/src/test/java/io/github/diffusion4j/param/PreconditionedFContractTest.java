package io.github.diffusion4j.param;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** {@link PreconditionedF} against the parametrisation contract; its true head is F* = (x₀ − c_skip x)/c_out (Karras et al. 2022, Eq. 8). */
class PreconditionedFContractTest extends ParametrisationContract {
    private final PreconditionedF param = new PreconditionedF();

    @Override
    protected Parametrisation parametrisation() {
        return param;
    }

    @Override
    protected Preconditioning preconditioning() {
        return EdmPreconditioning.edm();
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        return List.of(param.target(ex.x0(), ex.x(), s));
    }
}
