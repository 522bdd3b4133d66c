"""``chainrule graph``: draw one forward and backward pass of a model, fresh or trained."""

from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

import autograd as ag
import nn
from nn.cli import recipes, render
from nn.cli.common import CLIError, positive_int

__all__ = ["add_parser", "cmd_graph"]

DIRECTIONS = ("TB", "BT", "LR", "RL")


def _collapse(text: str) -> int:
    try:
        depth = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a depth >= 1, got {text!r}") from None
    if depth < 1:
        raise argparse.ArgumentTypeError(f"expected a depth >= 1, got {text!r}")
    return depth


def _max_nodes(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 nodes, got {text!r}")
    return value


def add_parser(sub: Any) -> None:
    """Register ``chainrule graph`` on the subparsers ``sub``."""
    graph = sub.add_parser(
        "graph", help="draw a forward+backward pass with gradient sizes",
        description="Run one forward and backward pass of a model on a small batch and draw "
                    "the graph with each gradient's norm: a freshly initialised digits model, "
                    "or a trained one with --load. The format follows the file's suffix: "
                    ".svg and .png need Graphviz's 'dot' program, .dot is DOT text.",
        epilog="examples: chainrule graph -o mlp.svg\n"
               "          chainrule graph --load runs/RUN/model.npz --collapse -o run.dot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph.add_argument("--model", choices=("mlp", "cnn"), default=None,
                       help="the digits MLP or SimpleCNN of chainrule train (default: mlp)")
    graph.add_argument("--load", metavar="PATH",
                       help="a run's model.npz (or its folder) from chainrule train: draw that "
                            "trained model on its own data (model and data come from the "
                            "run's metrics.json)")
    graph.add_argument("-o", "--output", metavar="FILE", default="graph.svg",
                       help="output file, .svg, .png or .dot (default: graph.svg)")
    graph.add_argument("--batch-size", type=positive_int, default=4,
                       help="examples in the batch (default: 4)")
    graph.add_argument("--seed", type=int, default=0, help="initialisation seed (default: 0)")
    graph.add_argument("--collapse", type=_collapse, nargs="?", const=1, default=0,
                       metavar="DEPTH",
                       help="draw each module as one node (DEPTH levels below the model; "
                            "default 1 when given without a value)")
    graph.add_argument("--max-nodes", type=_max_nodes, metavar="N",
                       help="fold the nodes beyond N into one summary node (default: "
                            "draw_graph's, 500)")
    graph.add_argument("--direction", choices=DIRECTIONS, default="TB",
                       help="layout direction, DOT's rankdir (default: TB, top to bottom)")
    graph.set_defaults(run=cmd_graph)


def _trained(load: str, model_opt: str | None) -> tuple[Any, str, Any]:
    """(model with the run's weights, its description, its data split) for ``--load``."""
    path = pathlib.Path(load).expanduser()
    weights = path / "model.npz" if path.is_dir() else path
    metrics_path = weights.parent / "metrics.json"
    try:
        settings = json.loads(metrics_path.read_text())["settings"]
        model_name, data = settings["model"], settings["data"]
    except FileNotFoundError:
        raise CLIError(f"--load {load!r}: no metrics.json beside {weights.name} to say which "
                       "model it holds; pass a run folder written by chainrule train") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CLIError(f"--load {load!r}: cannot read {str(metrics_path)!r}: {exc}") from None
    if model_opt is not None and model_opt != model_name:
        raise CLIError(f"--model {model_opt} contradicts the run, which trained a {model_name}")
    from nn.cli.runs import load_data

    split = load_data(model_name, data, settings.get("data_dir"), no_download=True)
    model, description = recipes.build_model(model_name, data, split.image_shape,
                                             split.num_classes)
    try:
        state = nn.load(weights)
        model.load_state_dict(state)
    except (OSError, ValueError, RuntimeError) as exc:
        raise CLIError(f"--load {load!r}: {exc}") from None
    return model, description, split


def cmd_graph(args: argparse.Namespace) -> int:
    """``chainrule graph``: one forward+backward of a model on a few examples, drawn."""
    path = pathlib.Path(args.output).expanduser()
    render.check_format(path)  # a bad suffix or a missing 'dot' fails before any work
    if args.load:
        model, description, split = _trained(args.load, args.model)
        what = f"trained {description} from {args.load}"
    else:
        from nn import datasets

        model_name = args.model or "mlp"
        split = datasets.load_dataset("digits", as_images=model_name == "cnn")
        ag.manual_seed(args.seed)
        model, description = recipes.build_model(model_name, "digits", split.image_shape)
        what = description
    n = min(args.batch_size, len(split.x_train))
    options: dict[str, Any] = {"collapse": args.collapse, "direction": args.direction}
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    graph = render.backward_graph(model, split.x_train[:n], split.y_train[:n], **options)
    try:
        render.render(graph, path)
    except OSError as exc:
        raise CLIError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    print(f"wrote {path}: {what}, one forward and backward on {n} examples")
    return 0
