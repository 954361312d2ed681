// Adds DOM matchers (toBeDisabled, toHaveValue, ...); the svelteTesting plugin unmounts
// components after each test.
import '@testing-library/jest-dom/vitest';
