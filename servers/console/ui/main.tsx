/**
 * The console's entry point: the stylesheet (bundled by esbuild into its own file, loaded by index.html) and
 * the app, rendered into `#app`.
 */
import { render } from 'preact';
import { App } from './app.tsx';
import './console.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
