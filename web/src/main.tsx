import { render } from 'preact';
// Tokens and base first: the components' own styles (imported by each) build on them.
import './styles/tokens.css';
import './styles/base.css';
import { App } from './components/App';
import { boot } from './state/boot';

const root = document.getElementById('app')!;
root.textContent = ''; // the static frame from index.html
render(<App />, root);
void boot();
