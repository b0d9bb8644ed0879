import { setMaxListeners } from 'node:events';

/** The runs this process is working on, each with the controller that stops it. Never shared: signals are local. */
export class LocalRuns {
  private readonly controllers = new Map<string, AbortController>();

  start(id: string): AbortController {
    const controller = new AbortController();
    // Every call of the run in flight listens on this signal (a hundred or so at full pace): not a leak.
    setMaxListeners(1_000, controller.signal);
    this.controllers.set(id, controller);
    return controller;
  }

  abort(id: string): boolean {
    const controller = this.controllers.get(id);
    controller?.abort();
    return controller !== undefined;
  }

  end(id: string): void {
    this.controllers.delete(id);
  }

  ids(): string[] {
    return [...this.controllers.keys()];
  }
}
