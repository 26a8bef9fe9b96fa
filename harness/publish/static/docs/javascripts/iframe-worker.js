/* Search on a page opened from file://. Browsers refuse to start a Web Worker from a file:// URL, and
 * the theme runs its search index in one. Here a worker is replaced, on file:// only, by a hidden
 * same-origin iframe that loads the same script: the script's own postMessage is routed back to the
 * page, and messages from the page are dispatched in the iframe as "message" events. The file name
 * contains "iframe-worker" so that the theme's offline plugin uses it instead of fetching a shim
 * from a CDN (the site must not depend on the network). Written for this project. */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.onmessage = null;
      this.pending = [];
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      this.frame.title = "search worker";
      (document.body || document.documentElement).appendChild(this.frame);
      const win = this.frame.contentWindow;
      win.postMessage = (data) => this.receive(data);
      win.importScripts = () => { throw new Error("importScripts is not available on file://"); };
      const script = win.document.createElement("script");
      script.src = new URL(url, location.href).href;
      script.onload = () => { this.ready = true; this.pending.splice(0).forEach((d) => this.postMessage(d)); };
      win.document.head.appendChild(script);
    }

    receive(data) {
      const event = new MessageEvent("message", { data: data });
      if (typeof this.onmessage === "function") this.onmessage(event);
      this.dispatchEvent(event);
    }

    postMessage(data) {
      if (!this.ready) { this.pending.push(data); return; }
      const win = this.frame.contentWindow;
      win.dispatchEvent(new win.MessageEvent("message", { data: data }));
    }

    terminate() { this.frame.remove(); }
  }

  window.Worker = FrameWorker;
})();
