"""Global state of libraries that every program shares: taken at a capture, given back
after a restore. Without it a restored program runs on with the library's defaults —
its log lines vanish or change format, its decimals fall back to 28 digits — and exits 0.

Each library is one pair in ``REGISTRY``: ``take(module)`` returns what travels (any value
the encoder can carry; the library's own objects keep their identity with the program's),
``give(module, value)`` sets it in the freshly imported module. A pair is used only when
the program had loaded the module: nothing is imported for a program that never used it.
Adding the next library (pandas' options, say) is one more pair.
"""

from __future__ import annotations

import base64
import importlib
import random
import struct
import sys

REGISTRY: dict[str, tuple] = {}


def register(module_name: str):
    def pair(take):
        def with_give(give):
            REGISTRY[module_name] = (take, give)
            return give
        take.give = with_give
        return take
    return pair


def take_all() -> dict:
    return {name: take(sys.modules[name]) for name, (take, _give) in REGISTRY.items()
            if sys.modules.get(name) is not None}


def give_all(state: dict) -> None:
    for name, value in state.items():
        pair = REGISTRY.get(name)
        if pair is not None:
            pair[1](importlib.import_module(name), value)


# --- decimal: the main thread's context -----------------------------------------------------

@register("decimal")
def _take_decimal(decimal):
    return decimal.getcontext()


@_take_decimal.give
def _give_decimal(decimal, context) -> None:
    decimal.setcontext(context)


# --- logging: every logger's level, handlers and filters; the disable level ---------------

@register("logging")
def _take_logging(logging):
    manager = logging.Logger.manager
    loggers = {"": logging.getLogger()}
    loggers.update((name, logger) for name, logger in list(manager.loggerDict.items())
                   if isinstance(logger, logging.Logger))
    return {
        "disable": manager.disable,
        "loggers": {name: {"level": logger.level, "propagate": logger.propagate,
                           "disabled": logger.disabled, "handlers": list(logger.handlers),
                           "filters": list(logger.filters)}
                    for name, logger in loggers.items()},
    }


@_take_logging.give
def _give_logging(logging, state) -> None:
    logging.disable(state.get("disable", 0))
    add_ref = getattr(logging, "_addHandlerRef", None)  # flushed and closed at exit
    for name, config in state["loggers"].items():
        logger = logging.getLogger(name or None)
        logger.setLevel(config["level"])
        logger.propagate = config["propagate"]
        logger.disabled = config["disabled"]
        logger.handlers[:] = config["handlers"]
        logger.filters[:] = config["filters"]
        for handler in config["handlers"]:
            if add_ref is not None and handler not in _known_handlers(logging):
                add_ref(handler)


def _known_handlers(logging) -> list:
    return [ref() for ref in getattr(logging, "_handlerList", [])]


# --- numpy: the legacy global generator (np.random.seed), print options, error handling ---

@register("numpy")
def _take_numpy(numpy):
    state = {"printoptions": dict(numpy.get_printoptions()), "err": dict(numpy.geterr())}
    if "numpy.random" in sys.modules:
        state["random"] = numpy.random.get_state()
    return state


@_take_numpy.give
def _give_numpy(numpy, state) -> None:
    import inspect

    accepted = inspect.signature(numpy.set_printoptions).parameters
    numpy.set_printoptions(**{key: value for key, value in state["printoptions"].items()
                              if key in accepted})  # the keys differ between numpy versions
    numpy.seterr(**state["err"])
    if "random" in state:
        numpy.random.set_state(state["random"])


# The random module's shared generator: 624 words of Mersenne Twister state and an index.
# As 625 JSON numbers it is most of a small program's snapshot (about 7 KB) and costs the
# capture a describer call each; as the bytes the words are, it is one base64 string.
_MT_WORDS = 625


def take_random() -> object:
    version, words, gauss = random.getstate()
    try:
        if version != 3 or len(words) != _MT_WORDS:
            raise struct.error
        packed = struct.pack(f"<{_MT_WORDS}I", *words)  # (only ints below 2**32 pack)
    except struct.error:
        return (version, words, gauss)  # not the shape this form knows: as it is
    return {"mt19937": base64.b64encode(packed).decode("ascii"), "version": version,
            "gauss": gauss}


def give_random(state) -> None:
    if isinstance(state, dict):
        words = struct.unpack(f"<{_MT_WORDS}I", base64.b64decode(state["mt19937"]))
        state = (state["version"], words, state["gauss"])
    random.setstate(state)
