import { render } from 'preact';
import { App } from './components/App';
import { boot } from './state/boot';
import './styles.css';

const root = document.getElementById('app')!;
root.textContent = ''; // the static frame from index.html
render(<App />, root);
void boot();
