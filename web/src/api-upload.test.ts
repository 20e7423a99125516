import { describe, expect, it } from 'vitest';
import { checkImageUrl, urlLabel } from './api-upload';

describe('checkImageUrl', () => {
  it('accepts http and https addresses, surrounding spaces included', () => {
    expect(checkImageUrl('https://example.com/a.png')).toBeNull();
    expect(checkImageUrl('  http://127.0.0.1:8080/x.jpg \n')).toBeNull();
  });
  it('explains an empty field, a non-address and another scheme in words', () => {
    expect(checkImageUrl('   ')).toBe('Paste the address of an image first.');
    expect(checkImageUrl('example.com/a.png')).toMatch(/not a web address/);
    expect(checkImageUrl('ftp://example.com/a.png')).toMatch(/Only web addresses starting with http/);
    expect(checkImageUrl('javascript:alert(1)')).toMatch(/Only web addresses/);
  });
});

describe('urlLabel', () => {
  it('shows the host and the decoded file name', () => {
    expect(urlLabel('https://images.example.com/a/b/Sunset%20Beach.jpg?x=1')).toBe('images.example.com/…/Sunset Beach.jpg');
    expect(urlLabel('http://127.0.0.1:8080/')).toBe('127.0.0.1:8080');
    expect(urlLabel('not a url')).toBe('not a url');
  });
});
