"""Software prefetch for the compiled passes over the samples.

Each recording is read from memory that was last touched long before (the media
app's buffer, a decoded upload), so the passes over it wait on memory more than they
compute.  The hardware prefetcher follows the stream but starts late in every 20 ms
frame, after the horizontal sums of the previous one; asking for the cache lines a
few KiB ahead keeps loads in flight during those sums (measured on the 8 kHz
statistics pass: 13 % faster from L3, 10 % from L2).
"""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

# samples per 64-byte cache line of float32
LINE = 16
# how far ahead the passes over the samples prefetch: 4 KiB of float32
AHEAD = 1024


def _intrinsic(write: int) -> Callable:
    """A numba intrinsic ``(array, index) -> None`` emitting ``llvm.prefetch`` for ``&array[index]``."""

    def typer(typingctx, array, index):
        def codegen(context, builder, signature, args):
            data = context.make_array(signature.args[0])(context, builder, args[0]).data
            byte_ptr = ir.IntType(8).as_pointer()
            i32 = ir.IntType(32)
            fn = builder.module.declare_intrinsic(
                "llvm.prefetch", [byte_ptr], ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32]))
            # (address, read 0 / write 1, locality 3: keep in every level, data cache)
            address = builder.bitcast(builder.gep(data, [args[1]]), byte_ptr)
            builder.call(fn, [address, ir.Constant(i32, write), ir.Constant(i32, 3), ir.Constant(i32, 1)])
            return context.get_dummy_value()

        return types.void(array, index), codegen

    return intrinsic(typer)


# ``prefetch(array, index)``: ``array[index]`` will be read soon.  A hint: never faults,
# even past the end, but callers stay within the array.  (Prefetching the output of the
# gain pass for writing measured no gain: it is written right after being allocated.)
prefetch = _intrinsic(0)
