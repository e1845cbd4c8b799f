"""``pca`` and ``pca-fooling``: the principal components of the training images, and the
reconstruction error of fooling images."""

from __future__ import annotations

from pathlib import Path

from .options import add_data, add_runs, at_least, between

COMPONENTS = between(1, 784)  # numbers of principal components of a 28 × 28 image


def add_parsers(sub) -> None:
    """Add this stage's subcommands to ``sub``."""
    s = sub.add_parser("pca", help="PCA of the training images, PCA classifiers (C2, C3)")
    add_data(s)
    s.add_argument("--ks", type=COMPONENTS, nargs="+", required=True)
    s.add_argument("--k-error", type=COMPONENTS, required=True)
    s.add_argument("--n-noise", type=at_least(1), required=True)
    s.add_argument("--n-eigen", type=COMPONENTS, required=True)
    s.add_argument("--n-train", type=int)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--out-dir", type=Path, required=True)
    s.set_defaults(func=cmd_pca)

    s = sub.add_parser("pca-fooling", help="reconstruction error of fooling images (PCA)")
    s.add_argument("--pca", type=Path, required=True, help="pca.npz")
    add_runs(s)
    s.add_argument("--k", type=COMPONENTS, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_pca_fooling)


def cmd_pca(args) -> None:
    from ..stages.pca.compute import eigen_likeness, run_pca

    run_pca(
        data=args.data,
        ks=args.ks,
        k_error=args.k_error,
        n_noise=args.n_noise,
        seed=args.seed,
        out_dir=args.out_dir,
        n_train=args.n_train,
    )
    eigen_likeness(
        pca_npz=args.out_dir / "pca.npz",
        data=args.data,
        n=args.n_eigen,
        out=args.out_dir / "eigen_likeness.csv",
    )


def cmd_pca_fooling(args) -> None:
    from ..stages.pca.compute import fooling_errors

    fooling_errors(pca_npz=args.pca, runs=args.runs, k=args.k, out=args.out)
