"""The maximum-Pc search (Alfano / SOCRATES) grid, one definition for the numpy reference
(``ssa.assess.risk.peak_over_scale_reference``) and the numba kernel
(``ssa.assess.kernels.peak_over_scale``).

The search is over log s, s the minor-axis sigma (any one length unit),
starting around the small-body optimum miss / (sqrt(2) ratio); each round
after the first is a finer grid around the best point of the previous one.
"""
import numpy as np

COARSE_LOG_S = np.linspace(-2.5, 1.5, 25)  # added to log(miss / (sqrt(2) ratio))
FINE_STEPS = np.linspace(-1.0, 1.0, 9)  # in steps of the previous round's grid
ROUNDS = 3  # the coarse grid and two refinements
SEARCH_NODES = 24  # Gauss-Legendre nodes while searching
FINAL_NODES = 96  # and for the Pc at the peak
NARROW_SIGMA_HBR = 0.1  # below this minor sigma (in hbr) FINAL_NODES is not enough: scipy quad
