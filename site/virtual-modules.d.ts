/** Shiki's token-colour classes, generated from the themes (site/components/code/token-classes.ts). */
declare module 'virtual:shiki-token-classes.css';
