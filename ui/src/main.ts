import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connectBackend } from './lib/ipc';

const target = document.getElementById('app');
if (target === null) {
  throw new Error('index.html has no #app element to mount the console in');
}

const backend = await connectBackend(window.location.search);
mount(App, { target, props: { backend } });
