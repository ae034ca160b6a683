// The asgi app's Python-level helpers; see asgi_python.hpp.
#include "asgi_python.hpp"

namespace hornet::asgi {
namespace {

constexpr const char* kHelpers = R"PY(
import asyncio, inspect

def is_asgi3(app):
    # uvicorn's rule: a class is ASGI 3 when its instances are awaitable,
    # a function when it is a coroutine function, an object by its __call__.
    if inspect.isclass(app):
        return hasattr(app, "__await__")
    if inspect.isfunction(app):
        return asyncio.iscoroutinefunction(app)
    return asyncio.iscoroutinefunction(getattr(app, "__call__", None))

def as_asgi3(app):
    if is_asgi3(app):
        return app
    async def asgi2(scope, receive, send):
        await app(scope)(receive, send)
    return asgi2

def new_loop(kind):
    if kind != "asyncio":
        try:
            import uvloop
            return uvloop.new_event_loop()
        except ImportError:
            if kind == "uvloop":
                raise
    return asyncio.new_event_loop()

def serve(loop, fd, drain):
    asyncio.set_event_loop(loop)
    loop.add_reader(fd, drain)
    try:
        loop.run_forever()
    finally:
        loop.remove_reader(fd)
        tasks = asyncio.all_tasks(loop)
        for t in tasks:
            t.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

def stop(loop):
    loop.call_soon_threadsafe(loop.stop)

class Lifespan:
    def __init__(self, app, state, mode):
        self.app, self.state, self.mode = app, state, mode
        self.unsupported = False
        self.failure = None

    async def _main(self):
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self._receive, self._send)
        except BaseException as exc:
            if not self.started.is_set() and self.mode == "auto":
                self.unsupported = True
            elif self.failure is None:
                import traceback
                self.failure = "".join(traceback.format_exception(exc)).rstrip()
        finally:
            self.started.set()
            self.stopped.set()

    async def _receive(self):
        return await self.inbox.get()

    async def _send(self, message):
        kind = message.get("type")
        if kind == "lifespan.startup.complete":
            self.started.set()
        elif kind == "lifespan.startup.failed":
            self.failure = message.get("message", "") or "lifespan.startup.failed"
            self.started.set()
        elif kind == "lifespan.shutdown.complete":
            self.stopped.set()
        elif kind == "lifespan.shutdown.failed":
            self.failure = message.get("message", "") or "lifespan.shutdown.failed"
            self.stopped.set()
        else:
            raise RuntimeError("unexpected lifespan message %r" % (kind,))

    async def _startup(self):
        self.inbox, self.started, self.stopped = asyncio.Queue(), asyncio.Event(), asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._main())
        await self.inbox.put({"type": "lifespan.startup"})
        await self.started.wait()

    async def _shutdown(self):
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.stopped.wait()

    def startup(self, loop):
        """'' when the app started (or has no lifespan), else why not."""
        if self.mode == "off":
            return ""
        asyncio.run_coroutine_threadsafe(self._startup(), loop).result()
        return self.failure or ""

    def shutdown(self, loop):
        if self.mode == "off" or self.unsupported or self.failure or self.stopped.is_set():
            return self.failure or ""
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result()
        return self.failure or ""
)PY";

} // namespace

python::PyRef load_asgi_helpers() {
    python::PyRef globals = python::PyRef::steal(PyDict_New());
    if (!globals || PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) != 0) return {};
    python::PyRef done = python::PyRef::steal(PyRun_String(kHelpers, Py_file_input, globals.get(), globals.get()));
    if (!done) return {};
    return globals;
}

} // namespace hornet::asgi
