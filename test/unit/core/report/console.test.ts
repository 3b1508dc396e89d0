import { describe, expect, it } from 'vitest';
import { ConsoleRegionError, consoleLinks } from '../../../../functions/core/report/console.js';
import { report } from '../../../report/fixtures.js';

describe('consoleLinks', () => {
  it.each([
    {
      case: 'a commercial region',
      region: 'eu-west-1',
      group: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=web;view=details',
      instance: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0abc',
    },
    {
      case: 'China, its own partition',
      region: 'cn-north-1',
      group: 'https://console.amazonaws.cn/ec2/home?region=cn-north-1#AutoScalingGroupDetails:id=web;view=details',
      instance: 'https://console.amazonaws.cn/ec2/home?region=cn-north-1#InstanceDetails:instanceId=i-0abc',
    },
    {
      case: 'GovCloud, its own partition',
      region: 'us-gov-west-1',
      group: 'https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#AutoScalingGroupDetails:id=web;view=details',
      instance: 'https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#InstanceDetails:instanceId=i-0abc',
    },
  ])('points at the console of $case', ({ region, group, instance }) => {
    const links = consoleLinks(region);
    expect(links.group('web')).toBe(group);
    expect(links.instance('i-0abc')).toBe(instance);
  });

  it('percent-encodes every reserved character of a name, so it can neither end a link nor leave an attribute', () => {
    const url = consoleLinks('eu-west-1').group('a b)(c]"<x>\'*!~;#?&|\n');
    expect(url.slice(url.indexOf('id=') + 3)).toBe('a%20b%29%28c%5D%22%3Cx%3E%27%2A%21%7E%3B%23%3F%26%7C%0A;view=details');
  });

  it.each(['', 'EU-WEST-1', 'eu-west', 'eu-west-1/../', 'javascript:alert(1)', 'eu-west-1 '])('refuses %j, naming it', (region) => {
    expect(() => consoleLinks(region)).toThrow(ConsoleRegionError);
    expect(() => consoleLinks(region)).toThrow(`region ${JSON.stringify(region)} is not valid for console links: expected an AWS region such as eu-west-1`);
    expect(() => report({ region })).toThrow(ConsoleRegionError);
  });
});
